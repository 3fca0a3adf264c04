//! `etcdctl watch` streams: each is served by one member from its own applied MVCC store, as
//! etcd serves watches (etcd `server/storage/mvcc/watchable_store.go`), and keeps printing in
//! the background after the prompt has returned.
//!
//! A stream remembers the next revision it owes its client. Whenever the world has handled an
//! event (or a command), [`WatchHub::pump`] hands each stream the events its member has applied
//! since, whole revisions at a time, in etcdctl's simple format (etcd v3.5
//! `etcdctl/ctlv3/command/printer_simple.go` `Watch`: the event type, with `--prev-kv` the
//! previous key and value, then the key and value). That gives etcd's guarantees (etcd
//! api_guarantees.md "Watch APIs"): ordered by revision, no duplicates, no gaps, one
//! transaction's events together. When the member is down the stream waits, and resumes from
//! its next revision once the member is back, as etcd's client library does after a reconnect
//! (etcd `client/v3/watch.go` resumes at the last received revision + 1). A start revision below
//! the member's compaction cancels the stream with etcdctl's two stderr lines.
//!
//! Streams are state (hashed); what they delivered is also kept, bounded, in a [`WatchLog`] —
//! a record like the transcript, for the watch checker in `lab check`.

use crate::etcd::message::MemberId;
use crate::etcd::mutant::Mutant;
use crate::etcd::mvcc::{Bytes, EventKind, KeyRange, MvccError};
use crate::i18n::Text;
use crate::names;
use crate::sim::network::{Endpoint, Network};
use crate::world::{LineKind, Member};

/// Running streams at once; one more is refused with a hint to stop one (`^C`).
pub const STREAMS_MAX: usize = 16;
/// Events one stream prints per pump (whole revisions; a revision larger than this is printed
/// whole). The rest follow on the next pump, so a `--rev 1` replay cannot stall one step.
pub const EVENTS_PER_PUMP_MAX: usize = 256;
/// Streams whose deliveries the [`WatchLog`] keeps (oldest dropped first).
pub const LOG_STREAMS_MAX: usize = 64;
/// Deliveries kept per stream in the [`WatchLog`] (oldest half dropped when full).
pub const LOG_EVENTS_MAX: usize = 65_536;

/// One running `etcdctl watch`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stream {
    /// Numbered from 1 in order of creation.
    pub id: u32,
    /// The command that started it: its output lines belong to that command.
    pub cmd: u32,
    pub member: MemberId,
    pub range: KeyRange,
    pub prev_kv: bool,
    /// The next revision this stream owes its client; 0 until the member has fixed the start
    /// (a watch without `--rev` starts after the member's revision when it first serves it).
    pub next_rev: u64,
    /// The member's life (crash/restart count) when the stream last saw it up.
    life: u32,
    /// The member was down at the last pump: the stream said it waits, and will say it resumes.
    waiting: bool,
}

/// The world's watch streams.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WatchHub {
    streams: Vec<Stream>,
    /// Streams ever started (the next one's id is this + 1).
    started: u32,
}

/// What one stream delivered, for the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub rev: u64,
    pub key: Bytes,
    pub kind: EventKind,
    pub value: Bytes,
    /// Which pump printed it: one revision's events must share one pump (atomic delivery).
    pub pump: u64,
}

/// A stream as the checker sees it afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamRecord {
    pub id: u32,
    pub member: MemberId,
    pub range: KeyRange,
    /// The first revision the stream was to deliver (0: not fixed yet).
    pub start_rev: u64,
    /// Revisions below this have been handed to the client (or found to have no event in range).
    pub next_rev: u64,
    pub running: bool,
    /// Canceled because its next revision had been compacted.
    pub canceled: bool,
    /// Deliveries dropped from the front of `delivered` to bound memory.
    pub dropped: u64,
    pub delivered: Vec<Delivered>,
}

/// What streams delivered: a bounded record, like the transcript (not part of the state hash).
#[derive(Clone, Debug, Default)]
pub struct WatchLog {
    pub streams: Vec<StreamRecord>,
    pumps: u64,
}

impl WatchLog {
    fn record(&mut self, id: u32) -> Option<&mut StreamRecord> {
        self.streams.iter_mut().rev().find(|r| r.id == id)
    }
}

/// A line a stream prints, for the world to add to its transcript.
pub type Output = (u32, LineKind, Text);

impl WatchHub {
    pub fn streams(&self) -> &[Stream] {
        &self.streams
    }

    /// No stream was ever started: the hub adds nothing to the state hash, so worlds without
    /// watches hash as before.
    pub fn is_pristine(&self) -> bool {
        self.started == 0
    }

    /// Starts a stream for command `cmd` on `member` (now in its life `life`); `rev` 0 = from
    /// the member's next revision.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        log: &mut WatchLog,
        cmd: u32,
        member: MemberId,
        life: u32,
        range: KeyRange,
        rev: u64,
        prev_kv: bool,
    ) -> Result<(), Text> {
        if self.streams.len() >= STREAMS_MAX {
            return Err(Text::new(
                format!("lab: 실행 중인 스트림이 이미 {STREAMS_MAX}개입니다 — ^C로 하나를 멈추세요"),
                format!("lab: {STREAMS_MAX} streams are running already — stop one with ^C"),
            ));
        }
        self.started += 1;
        let id = self.started;
        self.streams.push(Stream {
            id,
            cmd,
            member,
            range: range.clone(),
            prev_kv,
            next_rev: rev,
            life,
            waiting: false,
        });
        if log.streams.len() >= LOG_STREAMS_MAX {
            log.streams.remove(0);
        }
        log.streams.push(StreamRecord {
            id,
            member,
            range,
            start_rev: rev,
            next_rev: rev,
            running: true,
            canceled: false,
            dropped: 0,
            delivered: Vec::new(),
        });
        Ok(())
    }

    /// `^C`: stops the newest running stream and says which; or says none runs.
    pub fn interrupt(&mut self, log: &mut WatchLog, watch_lines: impl Fn(u32) -> String) -> Text {
        match self.streams.pop() {
            Some(s) => {
                if let Some(r) = log.record(s.id) {
                    r.running = false;
                }
                let what = watch_lines(s.cmd);
                Text::new(format!("lab: 스트림을 멈췄습니다: {what}"), format!("lab: stopped the stream: {what}"))
            }
            None => Text::new("lab: 실행 중인 스트림이 없습니다", "lab: no stream is running"),
        }
    }

    /// Hands every stream what its member has applied since its last pump. `mutant`: the world's
    /// deliberate bug, if any (acts only with the `mutants` feature).
    pub fn pump(
        &mut self,
        log: &mut WatchLog,
        members: &[Member],
        net: &Network,
        mutant: Option<Mutant>,
        out: &mut Vec<Output>,
    ) {
        if self.streams.is_empty() {
            return;
        }
        log.pumps += 1;
        let pump = log.pumps;
        let mut i = 0;
        while i < self.streams.len() {
            let s = &mut self.streams[i];
            let m = &members[(s.member - 1) as usize];
            // Named only when a note is printed: this loop runs after every event.
            let who = |m: MemberId| format!("{} ({})", names::member_short(m), names::node_name(m));
            if !m.up {
                if !s.waiting {
                    s.waiting = true;
                    let who = who(s.member);
                    out.push((
                        s.cmd,
                        LineKind::Stderr,
                        Text::new(
                            format!("lab: {who}이(가) 중지됨 — watch는 멤버가 돌아오기를 기다립니다 (etcdctl은 조용히 재시도)"),
                            format!("lab: {who} is down — the watch waits for it (etcdctl retries quietly)"),
                        ),
                    ));
                }
                i += 1;
                continue;
            }
            // Down and back between two pumps counts as a restart too (the life changed).
            if s.waiting || s.life != m.life() {
                s.waiting = false;
                // The classic off-by-one bugs of a resuming watch, for the checker to catch.
                if Mutant::ENABLED && mutant == Some(Mutant::WatchSkipsRevision) && s.next_rev > 0 {
                    s.next_rev += 1;
                }
                if Mutant::ENABLED && mutant == Some(Mutant::WatchRepeatsRevision) && s.next_rev > 1 {
                    s.next_rev -= 1;
                }
                let who = who(s.member);
                let from = if s.next_rev == 0 {
                    Text::new("멤버의 다음 리비전", "the member's next revision")
                } else {
                    Text::same(s.next_rev.to_string())
                };
                out.push((
                    s.cmd,
                    LineKind::Stderr,
                    Text::new(
                        format!("lab: {who}이(가) 돌아옴 — 리비전 {}부터 이어서 watch (빠짐도 중복도 없음)", from.ko),
                        format!("lab: {who} is back — the watch resumes at revision {} (no gap, no repeat)", from.en),
                    ),
                ));
            }
            s.life = m.life();
            // A client cut off from its member hears nothing until the link heals; the member
            // keeps the history, so the stream catches up then.
            if !net.connected(Endpoint::Client(s.member), Endpoint::Member(s.member)) {
                i += 1;
                continue;
            }
            let store = &m.store;
            if s.next_rev == 0 {
                s.next_rev = store.revision() + 1;
                if let Some(r) = log.record(s.id) {
                    r.start_rev = s.next_rev;
                    r.next_rev = s.next_rev;
                }
            }
            if store.revision() < s.next_rev {
                i += 1;
                continue;
            }
            let events = match store.events_from(s.next_rev) {
                Ok(evs) => evs,
                Err(e @ MvccError::Compacted { .. }) => {
                    // etcd v3.5 `watch_command.go` `printWatchCh`, then `watchCommandFunc`.
                    out.push((s.cmd, LineKind::Stderr, Text::same(format!("watch was canceled ({})", e.message()))));
                    out.push((s.cmd, LineKind::Stderr, Text::same("Error: watch is canceled by the server")));
                    if let Some(r) = log.record(s.id) {
                        r.running = false;
                        r.canceled = true;
                    }
                    self.streams.remove(i);
                    continue;
                }
                Err(_) => &[],
            };
            let mut printed = 0;
            let mut next_rev = store.revision() + 1;
            let record = log.record(s.id);
            let mut delivered = Vec::new();
            for (j, e) in events.iter().enumerate() {
                let rev = e.kv.mod_revision;
                // Stop only between revisions, so one transaction's events go out together.
                if printed >= EVENTS_PER_PUMP_MAX && j > 0 && events[j - 1].kv.mod_revision != rev {
                    next_rev = rev;
                    break;
                }
                if !s.range.contains(&e.kv.key) {
                    continue;
                }
                printed += 1;
                let kind = match e.kind {
                    EventKind::Put => "PUT",
                    EventKind::Delete => "DELETE",
                };
                out.push((s.cmd, LineKind::Stdout, Text::same(kind)));
                if let Some(p) = e.prev_kv.as_ref().filter(|_| s.prev_kv) {
                    out.push((s.cmd, LineKind::Stdout, Text::same(p.key.to_string())));
                    out.push((s.cmd, LineKind::Stdout, Text::same(p.value.to_string())));
                }
                out.push((s.cmd, LineKind::Stdout, Text::same(e.kv.key.to_string())));
                out.push((s.cmd, LineKind::Stdout, Text::same(e.kv.value.to_string())));
                delivered.push(Delivered { rev, key: e.kv.key.clone(), kind: e.kind, value: e.kv.value.clone(), pump });
            }
            s.next_rev = next_rev;
            if let Some(r) = record {
                r.next_rev = next_rev;
                if r.delivered.len() + delivered.len() > LOG_EVENTS_MAX {
                    let drop = r.delivered.len().min(LOG_EVENTS_MAX / 2);
                    r.delivered.drain(..drop);
                    r.dropped += drop as u64;
                }
                r.delivered.extend(delivered);
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    fn run(w: &mut World, lines: &[&str]) {
        for line in lines {
            let id = w.submit(line);
            w.run_until_done(id);
        }
    }

    #[test]
    fn a_watch_returns_the_prompt_at_once_and_prints_in_the_background() {
        let mut w = World::new(1, 3);
        run(&mut w, &["sleep 3s"]);
        let id = w.submit("etcdctl watch foo");
        assert_eq!(w.commands()[id as usize].done_at_us, Some(w.now_us()), "the prompt returns at once");
        run(&mut w, &["etcdctl put foo bar", "sleep 1s"]);
        let printed: Vec<&str> = w.transcript().iter().filter(|l| l.cmd == id).map(|l| l.text.en.as_str()).collect();
        // etcd v3.5 printer_simple.go `Watch`: type, key, value.
        assert_eq!(printed, ["etcdctl watch foo", "PUT", "foo", "bar"]);
        assert_eq!(w.watch_streams().len(), 1);
        run(&mut w, &["^C"]);
        assert!(w.watch_streams().is_empty());
    }

    #[test]
    fn streams_are_bounded() {
        let mut w = World::new(1, 3);
        for _ in 0..STREAMS_MAX {
            run(&mut w, &["etcdctl watch k"]);
        }
        let id = w.submit("etcdctl watch k");
        assert!(w.commands()[id as usize].failed);
        assert!(w.transcript().last().is_some_and(|l| l.text.en.contains("stop one with ^C")));
        assert_eq!(w.watch_streams().len(), STREAMS_MAX);
    }

    #[test]
    fn a_long_replay_goes_out_in_bounded_whole_revisions() {
        let mut w = World::new(1, 1);
        run(&mut w, &["sleep 3s"]);
        for i in 0..600 {
            run(&mut w, &[&format!("etcdctl put k{} v{i}", i % 10)]);
        }
        run(&mut w, &["etcdctl txn --then 'put t1 a' 'put t2 b' 'put t3 c'"]);
        w.submit("etcdctl watch \"\" --prefix --rev 2");
        run(&mut w, &["sleep 1s"]);
        let log = &w.watch_log.streams[0];
        assert_eq!(log.delivered.len(), 603, "everything arrives over the next pumps");
        let mut per_pump = std::collections::BTreeMap::new();
        for d in &log.delivered {
            *per_pump.entry(d.pump).or_insert(0) += 1;
        }
        assert!(per_pump.len() >= 3, "{per_pump:?}");
        assert!(per_pump.values().all(|&n| n <= EVENTS_PER_PUMP_MAX), "{per_pump:?}");
        let txn: Vec<&Delivered> = log.delivered.iter().filter(|d| d.key.starts_with('t')).collect();
        assert!(txn.iter().all(|d| d.rev == txn[0].rev && d.pump == txn[0].pump), "one txn, one revision, one pump");
        let mut out = Vec::new();
        crate::check::watch::check_watches(&w, &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_session_with_streams_and_ctrl_c_replays_to_the_same_transcript_and_hash() {
        use crate::i18n::Lang;
        let mut w = World::new(2, 3);
        run(
            &mut w,
            &[
                "sleep 3s",
                "etcdctl watch k --prefix",
                "etcdctl put k1 a",
                "lab crash etcd-1",
                "etcdctl --endpoints=etcd-2 put k2 b",
                "sleep 2s",
                "lab restart etcd-1",
                "sleep 2s",
                "^C",
                "etcdctl put k3 c",
                "sleep 1s",
                "etcdctl put k4 d",
                "etcdctl compact 3",
                "etcdctl watch k --rev 2",
            ],
        );
        let live = w.render_transcript(0, Lang::En);
        assert!(live.contains("PUT\nk2\nb\n"), "the write made while etcd-1 was down arrives after it restarts");
        assert!(!live.contains("PUT\nk3\nc\n"), "^C stopped the stream before k3");
        assert!(w.commands().last().is_some_and(|c| c.failed), "a compacted start fails the command");
        let again = crate::Scenario::from_world(&w).replay(None);
        assert_eq!(again.render_transcript(0, Lang::En), live);
        assert_eq!(again.state_hash(), w.state_hash());
    }
}
