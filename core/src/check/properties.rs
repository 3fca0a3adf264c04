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
    /// The cluster's committed log as first seen: (term, data) per index (1-based). `None`
    /// where no member was seen holding the entry itself (it reached every member that
    /// committed it inside a snapshot).
    pub(crate) committed: Vec<Option<(u64, EntryData)>>,
    /// Per member, how far its committed prefix has been compared.
    checked_upto: BTreeMap<MemberId, u64>,
}

impl CommittedNeverChange {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            let from = self.checked_upto.get(&n.id).copied().unwrap_or(0);
            let first = n.log.first_index();
            let new = n.log.entries().iter().take_while(|e| e.index <= n.log.committed).skip_while(|e| e.index <= from);
            for e in new {
                debug_assert!(e.index >= first);
                match self.committed.get_mut((e.index - 1) as usize) {
                    Some(Some((term, data))) if *term != e.term || *data != e.data => out.push(Violation {
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
                    Some(Some(_)) => {}
                    Some(slot @ None) => *slot = Some((e.term, e.data.clone())),
                    None => {
                        self.committed.resize((e.index - 1) as usize, None);
                        self.committed.push(Some((e.term, e.data.clone())));
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
/// the logs are identical up to it. Checked on the last entry both logs still hold (a
/// snapshot compacts the prefix away, and what it covered is committed).
pub fn log_matching(w: &World, out: &mut Vec<Violation>) {
    let ms = w.members();
    for (i, a) in ms.iter().enumerate() {
        for b in &ms[i + 1..] {
            let (la, lb) = (&a.node.log, &b.node.log);
            let lo = la.first_index().max(lb.first_index());
            let hi = la.last_index().min(lb.last_index());
            if lo > hi {
                continue;
            }
            let slice = |l: &crate::etcd::raft_log::RaftLog, from: u64, to: u64| {
                let off = l.first_index();
                l.entries()[(from - off) as usize..=(to - off) as usize].to_vec()
            };
            // The highest index where both logs have the same term; everything below must match.
            if let Some(k) = (lo..=hi).rev().find(|&k| la.term(k) == lb.term(k)) {
                if slice(la, lo, k) != slice(lb, lo, k) {
                    out.push(Violation {
                        at_us: w.now_us(),
                        property: "Log Matching (Raft §5.3)",
                        detail: format!(
                            "{} and {} agree on (index {k}, term {}) but differ before it",
                            member_short(a.node.id),
                            member_short(b.node.id),
                            la.term(k).unwrap_or(0)
                        ),
                    });
                }
            }
        }
    }
}

/// Leader Append-Only (Raft §5.3, Figure 3): a leader never overwrites or deletes entries in
/// its log; it only appends. Checked on the entry that was last when first seen leading.
#[derive(Clone, Debug, Default)]
pub struct LeaderAppendOnly {
    /// member → (term it leads, last index then, term of that entry)
    seen: BTreeMap<MemberId, (u64, u64, u64)>,
}

impl LeaderAppendOnly {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            if !(m.up && n.role == Role::Leader) {
                self.seen.remove(&n.id);
                continue;
            }
            let (last, last_term) = (n.log.last_index(), n.log.last_term());
            if let Some(&(term, index, entry_term)) = self.seen.get(&n.id) {
                let rewrote = last < index || n.log.term(index) != Some(entry_term);
                if term == n.term && rewrote {
                    out.push(Violation {
                        at_us: w.now_us(),
                        property: "Leader Append-Only (Raft §5.3)",
                        detail: format!(
                            "{} leading term {term} lost or rewrote entry {index} (term {entry_term})",
                            member_short(n.id)
                        ),
                    });
                }
            }
            self.seen.insert(n.id, (n.term, last, last_term));
        }
    }
}

/// The commit rule (Raft §5.4.2, Figure 8): "Raft never commits log entries from previous terms
/// by counting replicas" — a leader's commit index only ever moves to an entry of its own term
/// (earlier ones are committed indirectly, with it).
#[derive(Clone, Debug, Default)]
pub struct LeaderCommitsOwnTerm {
    /// leader → (term, commit index) at the last observation.
    seen: BTreeMap<MemberId, (u64, u64)>,
}

impl LeaderCommitsOwnTerm {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            if !(m.up && n.role == Role::Leader) {
                self.seen.remove(&n.id);
                continue;
            }
            let now = (n.term, n.log.committed);
            if let Some(&(term, commit)) = self.seen.get(&n.id) {
                let entry_term = n.log.term(n.log.committed);
                if term == n.term && n.log.committed > commit && entry_term != Some(n.term) {
                    out.push(Violation {
                        at_us: w.now_us(),
                        property: "Leader commits only its own term's entries (Raft §5.4.2)",
                        detail: format!(
                            "{} leading term {} moved its commit index to {} whose entry is of term {}",
                            member_short(n.id),
                            n.term,
                            n.log.committed,
                            entry_term.map_or("?".to_string(), |t| t.to_string())
                        ),
                    });
                }
            }
            self.seen.insert(n.id, now);
        }
    }
}

/// Leader Completeness (Raft §5.4, Figure 3): a committed entry is present in the log of every
/// leader of a later term. Checked once per (leader, term), against everything committed so far.
#[derive(Clone, Debug, Default)]
pub struct LeaderCompleteness {
    checked: BTreeMap<u64, MemberId>,
}

impl LeaderCompleteness {
    pub fn observe(&mut self, w: &World, committed: &CommittedNeverChange, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            if !(m.up && n.role == Role::Leader) || self.checked.get(&n.term) == Some(&n.id) {
                continue;
            }
            self.checked.insert(n.term, n.id);
            // What the leader compacted into its snapshot is committed state it holds.
            let missing = committed.committed.iter().enumerate().find_map(|(i, c)| {
                let index = i as u64 + 1;
                let (term, _) = c.as_ref()?;
                (index > n.log.snapshot_index && n.log.term(index) != Some(*term)).then_some((i, term))
            });
            if let Some((i, term)) = missing {
                out.push(Violation {
                    at_us: w.now_us(),
                    property: "Leader Completeness (Raft §5.4)",
                    detail: format!(
                        "{} leads term {} without committed entry {} (term {term})",
                        member_short(n.id),
                        n.term,
                        i + 1
                    ),
                });
            }
        }
    }
}

/// What must only move forward (etcd/raft `HardState`; Raft Figure 2): the term and vote on
/// disk always; within one life of a member, its term, commit and applied index; a vote never
/// changes within a term. And applied ≤ committed ≤ last index at all times. (A crash may
/// forget a term or entries that never reached the disk: the member said nothing about them.)
#[derive(Clone, Debug, Default)]
pub struct Monotonic {
    last: BTreeMap<MemberId, Seen>,
}

/// What [`Monotonic`] saw of a member last time.
#[derive(Clone, Copy, Debug)]
struct Seen {
    term: u64,
    vote: Option<MemberId>,
    committed: u64,
    life: u32,
    applied: u64,
    disk_term: u64,
    disk_vote: Option<MemberId>,
}

impl Monotonic {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            let who = member_short(n.id);
            let mut bad = |detail: String| {
                out.push(Violation { at_us: w.now_us(), property: "Monotonic state (Raft Fig. 2)", detail })
            };
            if n.log.applied > n.log.committed || n.log.committed > n.log.last_index() {
                bad(format!(
                    "{who}: applied {} ≤ committed {} ≤ last {} does not hold",
                    n.log.applied,
                    n.log.committed,
                    n.log.last_index()
                ));
            }
            let now = Seen {
                term: n.term,
                vote: n.vote,
                committed: n.log.committed,
                life: m.life(),
                applied: n.log.applied,
                disk_term: n.disk_term,
                disk_vote: n.disk_vote,
            };
            if let Some(&Seen { term, vote, committed, life, applied, disk_term, disk_vote }) = self.last.get(&n.id) {
                if n.disk_term < disk_term {
                    bad(format!("{who}: term on disk went back from {disk_term} to {}", n.disk_term));
                }
                if n.disk_term == disk_term && disk_vote.is_some() && n.disk_vote != disk_vote {
                    bad(format!(
                        "{who}: vote on disk changed within term {disk_term}: {disk_vote:?} → {:?}",
                        n.disk_vote
                    ));
                }
                if m.life() == life {
                    if n.term < term {
                        bad(format!("{who}: term went back from {term} to {}", n.term));
                    }
                    if n.term == term && vote.is_some() && n.vote != vote {
                        bad(format!("{who}: vote changed within term {term}: {vote:?} → {:?}", n.vote));
                    }
                    if n.log.committed < committed {
                        bad(format!("{who}: commit went back from {committed} to {}", n.log.committed));
                    }
                    if n.log.applied < applied {
                        bad(format!("{who}: applied went back from {applied} to {}", n.log.applied));
                    }
                }
            }
            self.last.insert(n.id, now);
        }
    }
}

/// A committed entry is stored on a quorum (Raft §5.3: "an entry is committed once the leader
/// that created it has replicated it on a majority"). Crashed members count: their log is on disk.
/// The quorum is of the voters the leader counted when it committed: a follower learns a commit
/// index from a leader, whose commit point k ≥ c sits on a majority of its configuration, and by
/// Log Matching those members hold c too. A leader's configuration changes when it applies a
/// change (Raft §6; etcd/raft apply-time changes), possibly in the very step that committed, so
/// the commit must be on a majority of its configuration before or after that step. Reports
/// each (member, index) once.
#[derive(Clone, Debug, Default)]
pub struct CommittedOnQuorum {
    reported: std::collections::BTreeSet<(MemberId, u64)>,
    /// A leader's commit point → the voters it had before and after the step that reached it.
    voters_at: BTreeMap<u64, [Vec<MemberId>; 2]>,
    /// Each member's voters at the previous observation.
    voters_before: BTreeMap<MemberId, Vec<MemberId>>,
}

impl CommittedOnQuorum {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let c = m.node.log.committed;
            let now = m.node.voters();
            if c > 0 && m.up && m.node.role == Role::Leader {
                let before = self.voters_before.get(&m.node.id).cloned().unwrap_or_else(|| now.to_vec());
                self.voters_at.entry(c).or_insert_with(|| [before, now.to_vec()]);
            }
            if self.voters_before.get(&m.node.id).is_none_or(|v| v.as_slice() != now) {
                self.voters_before.insert(m.node.id, now.to_vec());
            }
        }
        let mut found = Vec::new();
        committed_on_quorum(w, &self.voters_at, &mut found);
        for v in found {
            if self.reported.insert((v.member, v.index)) {
                out.push(v.violation);
            }
        }
    }
}

struct QuorumMiss {
    member: MemberId,
    index: u64,
    violation: Violation,
}

fn committed_on_quorum(w: &World, voters_at: &BTreeMap<u64, [Vec<MemberId>; 2]>, out: &mut Vec<QuorumMiss>) {
    let ms = w.members();
    for m in ms {
        let c = m.node.log.committed;
        if c == 0 {
            continue;
        }
        let Some((_, configs)) = voters_at.range(c..).next() else { continue };
        let term = m.node.log.term(c);
        // A member whose snapshot covers `c` holds it (snapshots hold committed entries only).
        let holders = |voters: &[MemberId]| {
            voters
                .iter()
                .filter_map(|&v| ms.get((v - 1) as usize))
                .filter(|o| o.node.log.term(c) == term || o.node.log.snapshot_index >= c)
                .count()
        };
        if configs.iter().any(|v| holders(v) >= crate::etcd::raft::majority(v.len())) {
            continue;
        }
        let voters = &configs[1];
        let holders = holders(voters);
        {
            out.push(QuorumMiss {
                member: m.node.id,
                index: c,
                violation: Violation {
                    at_us: w.now_us(),
                    property: "Committed on a quorum (Raft §5.3)",
                    detail: format!(
                        "{} committed index {c} held by only {holders} of the {} voters its leader counted",
                        member_short(m.node.id),
                        voters.len()
                    ),
                },
            });
        }
    }
}

/// Members `a` and `b` can exchange messages both ways right now.
fn talk(w: &World, a: MemberId, b: MemberId) -> bool {
    use crate::sim::network::Endpoint::Member;
    a == b || (w.member(b).up && w.net.connected(Member(a), Member(b)) && w.net.connected(Member(b), Member(a)))
}

/// CheckQuorum (etcd/raft `MsgCheckQuorum`; etcd op-guide/failures.md "the old leader steps
/// down"): a leader that cannot exchange messages with a quorum steps down within two checks
/// (2 × election timeout), plus a tick of slack.
#[derive(Clone, Debug, Default)]
pub struct CheckQuorumStepsDown {
    /// leader → (term, members it can talk to as a bit mask, since when, reported)
    cut_off_since: BTreeMap<MemberId, (u64, u8, u64, bool)>,
}

/// How long a cut-off leader may keep leading: two CheckQuorum rounds, a tick, and the
/// slowest reply still in flight when the cut came (a member's last packets arrive after it
/// dies or is cut off).
pub fn check_quorum_step_down_us_max(w: &World) -> u64 {
    use crate::etcd::raft::{ELECTION_TICKS, TICK_US};
    2 * ELECTION_TICKS as u64 * TICK_US + TICK_US + w.net.latency_us + w.net.jitter_us
}

impl CheckQuorumStepsDown {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            let leading = m.up && n.role == Role::Leader && n.config.check_quorum;
            // Only voters count toward CheckQuorum's quorum.
            let mask = n.voters().iter().filter(|&&v| talk(w, n.id, v)).fold(0u8, |acc, &v| acc | 1 << (v - 1));
            if !leading || mask.count_ones() as usize >= n.quorum() {
                self.cut_off_since.remove(&n.id);
                continue;
            }
            // CheckQuorum counts members heard from at any time in a round, so the clock only
            // runs while the same members stay reachable (a shifting minority may add up to a
            // quorum over one round, and etcd rightly keeps leading then).
            let entry = self.cut_off_since.entry(n.id).or_insert((n.term, mask, w.now_us(), false));
            if entry.0 != n.term || entry.1 != mask {
                *entry = (n.term, mask, w.now_us(), false);
            }
            let (term, _, since, reported) = *entry;
            if !reported && w.now_us() - since > check_quorum_step_down_us_max(w) {
                entry.3 = true; // once per cut-off
                out.push(Violation {
                    at_us: w.now_us(),
                    property: "CheckQuorum step-down (etcd raft.go)",
                    detail: format!(
                        "{} still leads term {term} {} ms after losing its quorum",
                        member_short(n.id),
                        (w.now_us() - since) / 1000
                    ),
                });
            }
        }
    }
}

/// PreVote (Raft thesis §9.6): a member that can reach no other member cannot win pre-votes,
/// so with PreVote on its term never rises while it is cut off (it cannot disrupt on return).
#[derive(Clone, Debug, Default)]
pub struct PreVoteKeepsTerm {
    /// isolated member → term when it was cut off
    isolated_at_term: BTreeMap<MemberId, u64>,
}

impl PreVoteKeepsTerm {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        use crate::sim::network::Endpoint::Member;
        for m in w.members() {
            let n = &m.node;
            let isolated = n.voters().len() > 1
                && w.members().iter().all(|o| {
                    o.node.id == n.id
                        || (!w.net.connected(Member(n.id), Member(o.node.id))
                            && !w.net.connected(Member(o.node.id), Member(n.id)))
                });
            if !(isolated && n.config.pre_vote) {
                self.isolated_at_term.remove(&n.id);
                continue;
            }
            let term = *self.isolated_at_term.entry(n.id).or_insert(n.term);
            if n.term > term {
                out.push(Violation {
                    at_us: w.now_us(),
                    property: "PreVote keeps the term (Raft thesis §9.6)",
                    detail: format!(
                        "{} raised its term {term} → {} while cut off from every member",
                        member_short(n.id),
                        n.term
                    ),
                });
                self.isolated_at_term.insert(n.id, n.term);
            }
        }
    }
}

/// Persist before replying (Raft Fig. 2: "updated on stable storage before responding to
/// RPCs"; etcd saves a Ready's HardState and entries to the WAL before sending its messages).
/// Every vote granted and every append acknowledged that just left a member must already be on
/// its disk — else a crash forgets a promise the rest of the cluster counts on.
#[derive(Clone, Debug, Default)]
pub struct RepliesAfterPersist {
    /// Messages scheduled before this sequence number were checked already.
    next_seq: u64,
}

impl RepliesAfterPersist {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        use crate::etcd::message::MsgKind;
        use crate::world::{Event, Payload};
        let (events, next_seq) = w.events_since(self.next_seq);
        for (_, ev) in events {
            let Event::Deliver { payload: Payload::Raft(m), .. } = ev else { continue };
            let n = &w.member(m.from).node;
            let unsaved = match m.kind {
                MsgKind::VoteResp if !m.reject => {
                    n.disk_term < m.term || (n.disk_term == m.term && n.disk_vote != Some(m.to))
                }
                // Once a later term is on disk the reply is stale; its leader cannot use it to
                // commit (a newer leader exists), whatever a crash now keeps.
                MsgKind::AppResp if !m.reject => {
                    n.disk_term < m.term || (n.disk_term == m.term && n.log.stable < m.index)
                }
                _ => false,
            };
            if unsaved {
                out.push(Violation {
                    at_us: w.now_us(),
                    property: "Persist before replying (Raft Fig. 2)",
                    detail: format!(
                        "{} sent {} for term {} (index {}) before writing it to disk (disk: term {}, vote {:?}, stable {})",
                        member_short(m.from),
                        m.kind.label(),
                        m.term,
                        m.index,
                        n.disk_term,
                        n.disk_vote.map(member_short),
                        n.log.stable
                    ),
                });
            }
        }
        self.next_seq = next_seq;
    }
}

/// All the checkers, observed together after every step of a simulation test.
#[derive(Clone, Debug, Default)]
pub struct SafetyChecks {
    pub election: ElectionSafety,
    pub committed: CommittedNeverChange,
    pub append_only: LeaderAppendOnly,
    pub completeness: LeaderCompleteness,
    pub monotonic: Monotonic,
    pub check_quorum: CheckQuorumStepsDown,
    pub pre_vote: PreVoteKeepsTerm,
    pub on_quorum: CommittedOnQuorum,
    pub persist: RepliesAfterPersist,
    pub commit_rule: LeaderCommitsOwnTerm,
    pub violations: Vec<Violation>,
}

impl SafetyChecks {
    pub fn observe(&mut self, w: &World) {
        self.election.observe(w, &mut self.violations);
        self.committed.observe(w, &mut self.violations);
        self.append_only.observe(w, &mut self.violations);
        self.completeness.observe(w, &self.committed, &mut self.violations);
        self.monotonic.observe(w, &mut self.violations);
        self.check_quorum.observe(w, &mut self.violations);
        self.pre_vote.observe(w, &mut self.violations);
        self.on_quorum.observe(w, &mut self.violations);
        self.persist.observe(w, &mut self.violations);
        self.commit_rule.observe(w, &mut self.violations);
    }

    /// The expensive one (quadratic in log length): call now and then.
    pub fn observe_logs(&mut self, w: &World) {
        log_matching(w, &mut self.violations);
    }
}
