//! The watch checker: every `etcdctl watch` stream of a run, against the cluster's committed
//! history (etcd api_guarantees.md "Watch APIs": ordered, unique, no gaps within history, one
//! revision's events in one response — i.e. atomic per transaction). The history is the store of
//! the member that has applied the most (all members apply the same committed log, which the
//! Raft checkers verify), from its compact revision on.
//!
//! `lab check` also runs a few streams per seed ([`WatchSchedule`]); streams only read the
//! members' stores, so they never change how a seed's world evolves.

use crate::check::Violation;
use crate::etcd::mvcc::{EventKind, KeyRange};
use crate::names::member_short;
use crate::sim::rng::SimRng;
use crate::sim::US_PER_S;
use crate::watch::StreamRecord;
use crate::world::World;

/// Checks every stream the world's watch log recorded.
pub fn check_watches(w: &World, out: &mut Vec<Violation>) {
    let Some(reference) = w.members().iter().max_by_key(|m| m.store.revision()).map(|m| &m.store) else {
        return;
    };
    let mut violate = |r: &StreamRecord, detail: String| {
        out.push(Violation {
            at_us: w.now_us(),
            property: "Watch guarantees (etcd api_guarantees.md \"Watch APIs\")",
            detail: format!("stream {} through {} on {}: {detail}", r.id, member_short(r.member), describe(&r.range)),
        })
    };
    for r in &w.watch_log.streams {
        let d = &r.delivered;
        if let Some(p) = d.windows(2).find(|p| p[1].rev < p[0].rev) {
            violate(r, format!("revision {} after revision {} (out of order)", p[1].rev, p[0].rev));
            continue;
        }
        if let Some(p) = d.windows(2).find(|p| p[1].rev == p[0].rev && d_has_repeat(d, p[0].rev)) {
            violate(r, format!("an event of revision {} delivered twice", p[0].rev));
            continue;
        }
        if let Some(p) = d.windows(2).find(|p| p[1].rev == p[0].rev && p[1].pump != p[0].pump) {
            violate(r, format!("the events of revision {} were split across deliveries (not atomic)", p[0].rev));
            continue;
        }
        if r.start_rev == 0 {
            if !d.is_empty() {
                violate(r, "delivered events before its start revision was fixed".to_string());
            }
            continue;
        }
        if let Some(e) = d.iter().find(|e| e.rev < r.start_rev) {
            violate(r, format!("revision {} is before its start revision {}", e.rev, r.start_rev));
            continue;
        }
        // Gapless and true: exactly the history's in-range events over the revisions the stream
        // has covered and the history still holds.
        let mut lo = r.start_rev.max(reference.compact_revision()).max(1);
        if r.dropped > 0 {
            lo = lo.max(d.first().map_or(0, |e| e.rev + 1));
        }
        let hi = r.next_rev.saturating_sub(1).min(reference.revision());
        if lo <= hi {
            let Ok(history) = reference.events_from(lo) else { continue };
            let truth: Vec<(u64, &str, _, &str)> = history
                .iter()
                .filter(|e| e.kv.mod_revision <= hi && r.range.contains(&e.kv.key))
                .map(|e| (e.kv.mod_revision, &*e.kv.key, e.kind, &*e.kv.value))
                .collect();
            let got: Vec<(u64, &str, _, &str)> =
                d.iter().filter(|e| (lo..=hi).contains(&e.rev)).map(|e| (e.rev, &*e.key, e.kind, &*e.value)).collect();
            if got != truth {
                let at = got.iter().zip(&truth).position(|(a, b)| a != b).unwrap_or(got.len().min(truth.len()));
                let detail = match (got.get(at), truth.get(at)) {
                    (_, Some(t)) if !got.contains(t) => {
                        format!("missed {} {} at revision {} (a gap)", kind(t.2), t.1, t.0)
                    }
                    (Some(g), _) if !truth.contains(g) => {
                        format!("delivered {} {} at revision {}, which is not in the history", kind(g.2), g.1, g.0)
                    }
                    _ => {
                        format!("delivered {} events where the history has {} in [{lo}, {hi}]", got.len(), truth.len())
                    }
                };
                violate(r, detail);
                continue;
            }
        }
        // Liveness at the end of a run: a running stream whose member is up has been handed
        // everything that member applied.
        let m = w.member(r.member);
        if r.running && m.up && r.next_rev <= m.store.revision() {
            violate(
                r,
                format!("still owes revisions {}..={} that its member has applied", r.next_rev, m.store.revision()),
            );
        }
    }
}

fn d_has_repeat(d: &[crate::watch::Delivered], rev: u64) -> bool {
    let mut keys: Vec<&str> = d.iter().filter(|e| e.rev == rev).map(|e| &*e.key).collect();
    keys.sort_unstable();
    keys.windows(2).any(|k| k[0] == k[1])
}

fn kind(k: EventKind) -> &'static str {
    match k {
        EventKind::Put => "PUT",
        EventKind::Delete => "DELETE",
    }
}

fn describe(range: &KeyRange) -> String {
    match range {
        KeyRange::Key(k) => format!("key {k}"),
        KeyRange::Prefix(p) => format!("prefix \"{p}\""),
        KeyRange::Range(s, e) => format!("range [{s}, {e})"),
    }
}

/// The streams one `lab check` seed runs: two from the start (every key; one key with
/// `--prev-kv`), one later replaying history with `--rev` (possibly compacted away, then it must
/// be canceled), one later on a key range, which a `^C` then stops.
#[derive(Clone, Debug)]
pub struct WatchSchedule {
    steps: Vec<(u64, Step)>,
    next: usize,
}

#[derive(Clone, Debug)]
enum Step {
    Line(String),
    /// A `--rev` watch: the revision is drawn when it starts, from what the cluster has.
    Replay {
        member: u64,
        pick: u64,
    },
}

impl WatchSchedule {
    pub fn draw(r: &mut SimRng, members: u8) -> WatchSchedule {
        let member = |r: &mut SimRng| r.between(1, members as u64);
        let t1 = r.between(5 * US_PER_S, 30 * US_PER_S);
        let t2 = r.between(t1, 40 * US_PER_S);
        let t3 = r.between(t2, 44 * US_PER_S);
        let steps = vec![
            (0, Step::Line(format!("etcdctl --endpoints=etcd-{} watch \"\" --prefix", member(r)))),
            (0, Step::Line(format!("etcdctl --endpoints=etcd-{} watch k{} --prev-kv", member(r), r.below(7)))),
            (t1, Step::Replay { member: member(r), pick: r.next_u64() }),
            (t2, Step::Line(format!("etcdctl --endpoints=etcd-{} watch k2 k5", member(r)))),
            (t3, Step::Line("^C".to_string())),
        ];
        WatchSchedule { steps, next: 0 }
    }

    /// The command lines due at or before `t_us`.
    pub fn due(&mut self, t_us: u64, w: &World) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some((_, step)) = self.steps.get(self.next).filter(|(at, _)| *at <= t_us) {
            lines.push(match step {
                Step::Line(l) => l.clone(),
                Step::Replay { member, pick } => {
                    let top = w.members().iter().map(|m| m.store.revision()).max().unwrap_or(1);
                    format!("etcdctl --endpoints=etcd-{member} watch k --prefix --rev {}", 1 + pick % (top + 1))
                }
            });
            self.next += 1;
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short run with writes, a crash and a restart of the watched member.
    fn run() -> World {
        let mut w = World::new(3, 3);
        for line in [
            "sleep 3s",
            "etcdctl --endpoints=etcd-3 watch k --prefix",
            "etcdctl put k1 a",
            "etcdctl put k2 b",
            "lab crash etcd-3",
            "etcdctl put k1 c",
            "lab restart etcd-3",
            "sleep 2s",
            "etcdctl put k3 d",
            "sleep 1s",
        ] {
            let id = w.submit(line);
            w.run_until_done(id);
        }
        w
    }

    #[test]
    fn a_correct_stream_passes_and_a_tampered_one_fails() {
        let w = run();
        let mut out = Vec::new();
        check_watches(&w, &mut out);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(w.watch_log.streams[0].delivered.len(), 4);

        // A gap: drop the event the member applied while it was down.
        let mut gap = w.clone();
        gap.watch_log.streams[0].delivered.remove(2);
        let mut out = Vec::new();
        check_watches(&gap, &mut out);
        assert!(out[0].detail.contains("a gap"), "{out:?}");

        // A repeat: the same event twice.
        let mut twice = w.clone();
        let again = twice.watch_log.streams[0].delivered[1].clone();
        twice.watch_log.streams[0].delivered.insert(1, again);
        let mut out = Vec::new();
        check_watches(&twice, &mut out);
        assert!(out[0].detail.contains("twice"), "{out:?}");

        // Out of order.
        let mut swapped = w.clone();
        swapped.watch_log.streams[0].delivered.swap(0, 1);
        let mut out = Vec::new();
        check_watches(&swapped, &mut out);
        assert!(out[0].detail.contains("out of order"), "{out:?}");
    }
}
