//! The replicated log of one member, with its stable, commit and apply cursors and the
//! compacted prefix a snapshot replaced (etcd/raft `raftLog` over `MemoryStorage`).

use super::message::Entry;

#[derive(Clone, Debug, Default, Hash)]
pub struct RaftLog {
    /// The entries after the snapshot: `entries[i].index == snapshot_index + i + 1`.
    entries: Vec<Entry>,
    /// The last index (and its term) the snapshot covers; 0 with no snapshot. Entries at or
    /// below it were compacted away (etcd/raft `ErrCompacted`).
    /// Invariant: snapshot_index <= applied
    pub snapshot_index: u64,
    pub snapshot_term: u64,
    /// Entries up to here are on this member's disk (fsynced); the rest may be lost in a crash.
    /// Invariant: snapshot_index <= stable <= last_index()
    pub stable: u64,
    /// Highest index known to be stored on a quorum.
    /// Invariant: committed <= last_index()
    pub committed: u64,
    /// Highest index handed to the state machine.
    /// Invariant: applied <= committed
    pub applied: u64,
}

impl RaftLog {
    pub fn first_index(&self) -> u64 {
        self.snapshot_index + 1
    }

    pub fn last_index(&self) -> u64 {
        self.snapshot_index + self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.snapshot_term, |e| e.term)
    }

    /// Term of the entry at `index`: the snapshot's term at its own index, `None` below it
    /// (compacted) or beyond the last index. Index 0 is the empty prefix with term 0.
    pub fn term(&self, index: u64) -> Option<u64> {
        if index == self.snapshot_index {
            return Some(self.snapshot_term);
        }
        if index < self.snapshot_index {
            return None;
        }
        self.entries.get((index - self.snapshot_index - 1) as usize).map(|e| e.term)
    }

    pub fn match_term(&self, index: u64, term: u64) -> bool {
        self.term(index) == Some(term)
    }

    /// The entries after the snapshot.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries from `from` (inclusive, after the snapshot), at most `max` of them.
    pub fn entries_from(&self, from: u64, max: usize) -> Vec<Entry> {
        debug_assert!(from > self.snapshot_index, "entry {from} was compacted");
        let start = (from - self.snapshot_index - 1) as usize;
        if start >= self.entries.len() {
            return Vec::new();
        }
        let end = (start + max).min(self.entries.len());
        self.entries[start..end].to_vec()
    }

    /// Raft §5.4.1: is a candidate whose log ends at (`last_index`, `last_term`) at least as
    /// up to date as ours?
    pub fn is_up_to_date(&self, last_index: u64, last_term: u64) -> bool {
        last_term > self.last_term() || (last_term == self.last_term() && last_index >= self.last_index())
    }

    /// Leader side: append new entries at the end.
    pub fn append(&mut self, entries: Vec<Entry>) {
        for e in entries {
            assert_eq!(e.index, self.last_index() + 1, "log entries must be contiguous");
            self.entries.push(e);
        }
    }

    /// Follower side of AppendEntries (Raft §5.3): if our log has (`index`, `log_term`), append
    /// `entries` after it, truncating a conflicting suffix, advance commit, and return the
    /// last index now known to match the leader. `None` means the consistency check failed.
    pub fn maybe_append(&mut self, index: u64, log_term: u64, leader_commit: u64, entries: Vec<Entry>) -> Option<u64> {
        if !self.match_term(index, log_term) {
            return None;
        }
        let last_new = index + entries.len() as u64;
        // Entries at or below the snapshot are committed and already here.
        let conflict = entries
            .iter()
            .find(|e| e.index > self.snapshot_index && !self.match_term(e.index, e.term))
            .map(|e| e.index);
        if let Some(conflict) = conflict {
            // A committed entry is never overwritten (Leader Completeness, Raft §5.4).
            assert!(conflict > self.committed, "conflict at {conflict} <= committed {}", self.committed);
            self.entries.truncate((conflict - self.snapshot_index - 1) as usize);
            // What replaced the suffix is not on disk yet.
            self.stable = self.stable.min(conflict - 1);
            let skip = (conflict - index - 1) as usize;
            self.entries.extend(entries.into_iter().skip(skip));
        }
        self.commit_to(leader_commit.min(last_new));
        Some(last_new)
    }

    pub fn commit_to(&mut self, index: u64) {
        if index > self.committed {
            assert!(index <= self.last_index(), "commit {index} beyond last index {}", self.last_index());
            self.committed = index;
        }
    }

    /// Leader: commit `index` if it is of the current term (Raft §5.4.2: never commit an
    /// entry of an earlier term by counting replicas; Figure 8).
    pub fn maybe_commit(&mut self, index: u64, term: u64) -> bool {
        if index > self.committed && self.term(index) == Some(term) {
            self.commit_to(index);
            return true;
        }
        false
    }

    /// The disk finished writing everything up to `index`, whose term was `term` when the
    /// write began. If the entry changed meanwhile (a conflicting append), the write was of
    /// the old suffix and the next sync covers the new one.
    pub fn stable_to(&mut self, index: u64, term: u64) {
        if index > self.stable && self.match_term(index, term) {
            self.stable = index;
        }
    }

    /// Entries committed and on this member's disk but not yet applied; marks them applied.
    /// (Applying only what the WAL holds keeps the state machine, which survives a crash, from
    /// ever running ahead of the log it is replayed from.)
    pub fn take_to_apply(&mut self) -> Vec<Entry> {
        let upto = self.committed.min(self.stable).max(self.applied);
        let from = (self.applied - self.snapshot_index) as usize;
        let to = (upto - self.snapshot_index) as usize;
        self.applied = upto;
        self.entries[from..to].to_vec()
    }

    /// Drops the entries up to `index` (applied, and covered by a snapshot just taken).
    pub fn compact(&mut self, index: u64) {
        assert!(index <= self.applied, "compacting {index} beyond applied {}", self.applied);
        if index <= self.snapshot_index {
            return;
        }
        let term = self.term(index).expect("index within the log");
        self.entries.drain(..(index - self.snapshot_index) as usize);
        self.snapshot_index = index;
        self.snapshot_term = term;
        self.stable = self.stable.max(index);
    }

    /// Replaces the log with a snapshot from the leader (Raft §7 InstallSnapshot): everything
    /// up to `index` is now committed and applied, and on disk once the snapshot is saved.
    pub fn restore(&mut self, index: u64, term: u64) {
        assert!(index > self.committed, "restoring snapshot {index} at or below commit {}", self.committed);
        self.entries.clear();
        self.snapshot_index = index;
        self.snapshot_term = term;
        self.committed = index;
        self.applied = index;
        self.stable = index;
    }

    /// What survives a crash: the entries on disk, and a commit index no higher than them.
    pub fn durable(&self) -> RaftLog {
        let keep = (self.stable - self.snapshot_index) as usize;
        RaftLog {
            entries: self.entries[..keep].to_vec(),
            snapshot_index: self.snapshot_index,
            snapshot_term: self.snapshot_term,
            stable: self.stable,
            committed: self.committed.min(self.stable),
            applied: self.snapshot_index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::message::EntryData;

    fn ent(index: u64, term: u64) -> Entry {
        Entry { term, index, data: EntryData::Empty, origin: None }
    }

    fn log_of(terms: &[u64]) -> RaftLog {
        let mut l = RaftLog::default();
        l.append(terms.iter().enumerate().map(|(i, &t)| ent(i as u64 + 1, t)).collect());
        l
    }

    #[test]
    fn up_to_date_compares_last_term_then_length() {
        // Raft §5.4.1
        let l = log_of(&[1, 1, 2]);
        assert!(l.is_up_to_date(1, 3));
        assert!(l.is_up_to_date(3, 2));
        assert!(!l.is_up_to_date(2, 2));
        assert!(!l.is_up_to_date(9, 1));
    }

    #[test]
    fn maybe_append_rejects_missing_prev_and_truncates_conflicts() {
        let mut l = log_of(&[1, 1, 1]);
        assert_eq!(l.maybe_append(4, 1, 0, vec![ent(5, 2)]), None);
        assert_eq!(l.maybe_append(1, 1, 0, vec![ent(2, 2)]), Some(2));
        assert_eq!(l.last_index(), 2);
        assert_eq!(l.term(2), Some(2));
    }

    #[test]
    fn maybe_append_ignores_stale_duplicates() {
        let mut l = log_of(&[1, 1, 1]);
        // A delayed AppendEntries for index 2 must not truncate entry 3.
        assert_eq!(l.maybe_append(1, 1, 0, vec![ent(2, 1)]), Some(2));
        assert_eq!(l.last_index(), 3);
    }

    #[test]
    fn leader_never_commits_an_old_term_entry_by_counting() {
        // Raft Figure 8: an entry of term 2 replicated on a majority is not committed by a term-4 leader.
        let mut l = log_of(&[1, 2]);
        assert!(!l.maybe_commit(2, 4));
        assert_eq!(l.committed, 0);
        assert!(l.maybe_commit(2, 2));
    }
}
