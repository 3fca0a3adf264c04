//! What the diagrams draw: a plain snapshot of the world, cheap to compare and clone.
//!
//! The UI reads only this (and submits command lines); it never reaches into the world.

use crate::etcd::message::{EntryData, MemberId, MsgKind};
use crate::etcd::mvcc::{EventKind, KeyRange};
use crate::etcd::raft::Role;
use crate::hash::format_hash;
use crate::i18n::Text;
use crate::names;
use crate::sim::network::Endpoint;
use crate::world::{Event, Payload, World};

/// Log entries shown per vault (the newest ones).
pub const LOG_TAIL_MAX: usize = 12;
/// Messages drawn in flight at most (the rest are counted).
pub const MESSAGES_SHOWN_MAX: usize = 400;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryView {
    pub index: u64,
    pub term: u64,
    pub committed: bool,
    /// `k1=v1`, or `·` for a leader's empty entry.
    pub label: String,
    /// On this member's disk (fsynced); false: written to the log in memory only.
    pub synced: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub id: MemberId,
    pub short: String,
    pub node_name: String,
    pub up: bool,
    pub role: Role,
    pub term: u64,
    pub vote: Option<MemberId>,
    pub leader: Option<MemberId>,
    pub commit: u64,
    pub applied: u64,
    pub last_index: u64,
    pub election_elapsed_ticks: u32,
    pub election_timeout_ticks: u32,
    /// Partition side (0 when there is no partition).
    pub group: u8,
    pub log_tail: Vec<EntryView>,
    pub keys: usize,
    /// The member's MVCC store revision (etcd's `header.revision`).
    pub revision: u64,
    /// As the current leader sees this follower: (match index, next index) (Raft §5.3).
    pub progress: Option<(u64, u64)>,
    /// Entries up to this index are on the member's disk (fsynced); later ones are not yet.
    pub stable: u64,
    /// The log is compacted up to this index (those entries live only in the snapshot); 0: none.
    pub compacted: u64,
    /// The index of the member's newest snapshot, if it has taken or received one.
    pub snapshot_index: Option<u64>,
    /// This member's fsync latency (`lab disk`; `world::DISK_LATENCY_US_DEFAULT` is normal).
    pub disk_latency_us: u64,
    /// A disk write (fsync) is in flight.
    pub disk_busy: bool,
    /// Replies waiting for that disk write.
    pub held_replies: usize,
    /// As leader, handing leadership over to this member (`move-leader`, `lab stop`).
    pub transferee: Option<MemberId>,
    /// A learner in its own configuration (`member add --learner`): replicates, never votes.
    pub learner: bool,
    /// Removed from the cluster (`member remove`): down for good.
    pub removed: bool,
}

/// One running `etcdctl watch` stream and what it printed last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchView {
    pub id: u32,
    /// The member serving it.
    pub member: MemberId,
    /// The command line that started it.
    pub line: String,
    /// The next revision the stream owes its client (0: not fixed yet).
    pub next_rev: u64,
    /// Events delivered so far.
    pub delivered: u64,
    /// The newest deliveries, oldest first (at most `WATCH_EVENTS_SHOWN`).
    pub recent: Vec<WatchEventView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEventView {
    pub rev: u64,
    /// `PUT` or `DELETE`, as etcdctl prints it.
    pub kind: &'static str,
    pub key: String,
    pub value: String,
}

/// Deliveries shown per watch stream.
pub const WATCH_EVENTS_SHOWN: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageClass {
    Vote,
    PreVote,
    Append,
    Heartbeat,
    /// ReadIndex: a linearizable read asking the leader for its commit index.
    Read,
    /// InstallSnapshot: a whole state machine for a follower behind the compacted log.
    Snapshot,
    Client,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    /// Stable while the message is in flight (the event's sequence number).
    pub key: u64,
    pub from: Endpoint,
    pub to: Endpoint,
    pub class: MessageClass,
    pub label: &'static str,
    pub is_reply: bool,
    pub rejected: bool,
    pub sent_us: u64,
    pub deliver_us: u64,
    /// The partition (or a crash) will drop it on arrival.
    pub will_drop: bool,
    pub entries: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandView {
    pub id: u32,
    pub at_us: u64,
    pub line: String,
    pub done: bool,
    pub failed: bool,
    /// Output lines (both languages), in order.
    pub output: Vec<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub now_us: u64,
    pub hash: String,
    /// The size the cluster was created with (the member-count control); `members` also holds
    /// members added since.
    pub initial_members: u8,
    pub members: Vec<MemberView>,
    pub leader: Option<MemberId>,
    pub messages: Vec<MessageView>,
    pub messages_hidden: usize,
    pub partitioned: bool,
    pub network: Text,
    pub writes_ok: u64,
    pub writes_failed: u64,
    /// The cluster's Raft safeguards (as set on etcd-1; `lab set` changes all members).
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// Applied entries between snapshots (`lab set snapshot-count`).
    pub snapshot_count: u64,
    /// The running `etcdctl watch` streams, oldest first.
    pub watches: Vec<WatchView>,
    /// The office (API servers and their recent requests); `None` in an etcd-only world.
    pub office: Option<OfficeView>,
}

/// One API server, as the office drawing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TellerView {
    pub node: MemberId,
    pub up: bool,
    pub slow_us: u64,
    /// The revision its watch cache reflects, and its etcd member's (the gap is staleness).
    pub cache_revision: u64,
    pub etcd_revision: u64,
    pub cached_objects: usize,
    pub handled: u64,
    /// Requests it is working on now.
    pub in_flight: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Passed,
    Mutated,
    Rejected,
    Waiting,
    Noted,
}

/// One desk's verdict on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepView {
    pub desk: String,
    /// 1: checks, 2: handling, 0: basement (etcd).
    pub floor: u8,
    pub kind: StepKind,
    /// What the desk said (English, as the API server's own words).
    pub text: String,
    pub at_us: u64,
}

/// A request in the request inspector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestView {
    pub id: u64,
    pub cmd: u32,
    pub line: String,
    pub server: MemberId,
    pub method: &'static str,
    /// The RBAC verb (`create`, `list`, …), the resource as Status messages name it
    /// (`pods`, `deployments.apps`) and the namespace (`""`: cluster-scoped or all).
    pub verb: &'static str,
    pub resource: String,
    pub namespace: String,
    pub path: String,
    pub user: String,
    pub groups: Vec<String>,
    /// `None` while in flight; `Some(0)`: no HTTP answer (the connection was lost).
    pub code: Option<u16>,
    /// The error's message when the answer is a Status (403, 404, 409, 500, …).
    pub message: Option<String>,
    pub done: bool,
    pub steps: Vec<StepView>,
    /// The desk that stopped it, if any.
    pub rejected_at: Option<String>,
    /// The object as sent and as stored (pretty JSON), for create and update.
    pub before: Option<String>,
    pub after: Option<String>,
    pub sent_us: u64,
    pub answered_us: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeView {
    pub tellers: Vec<TellerView>,
    /// Newest last; at most `OFFICE_REQUESTS_SHOWN`.
    pub requests: Vec<RequestView>,
    /// The admission plugins in the order they run (name, mutating, validating).
    pub plugins: Vec<(&'static str, bool, bool)>,
    pub webhooks: Vec<String>,
    pub responses_by_code: Vec<(u16, u64)>,
    /// The kubeconfig's current context (`kubectl config use-context`).
    pub context: &'static str,
}

/// Requests the inspector lists.
pub const OFFICE_REQUESTS_SHOWN: usize = 30;

impl World {
    pub fn view(&self) -> View {
        let members = self
            .members()
            .iter()
            .map(|m| {
                let n = &m.node;
                let last = n.log.last_index();
                let from = last.saturating_sub(LOG_TAIL_MAX as u64);
                // The log starts after the snapshot: index `i` sits at offset `i - snapshot_index - 1`.
                let skip = from.saturating_sub(n.log.snapshot_index) as usize;
                let log_tail = n.log.entries()[skip..]
                    .iter()
                    .map(|e| EntryView {
                        index: e.index,
                        term: e.term,
                        committed: e.index <= n.log.committed,
                        label: match &e.data {
                            EntryData::Empty => "·".to_string(),
                            EntryData::Put { key, value, .. } => format!("{key}={value}"),
                            EntryData::LeaseGrant { id, ttl_s } => format!("lease {id:x} {ttl_s}s"),
                            EntryData::LeaseRevoke { id } => format!("revoke {id:x}"),
                            EntryData::LeaseKeepAlive { id } => format!("keepalive {id:x}"),
                            EntryData::Delete { range } => match range {
                                KeyRange::Key(k) => format!("del {k}"),
                                KeyRange::Prefix(p) => format!("del {p}*"),
                                KeyRange::Range(s, e) => format!("del [{s}, {e})"),
                            },
                            EntryData::Compact { revision } => format!("compact {revision}"),
                            EntryData::Txn(t) => format!("txn {}", t.compares.first().map_or("", |c| &*c.key)),
                            EntryData::ConfChange { kind, member } => {
                                let what = match kind {
                                    crate::etcd::message::ConfChangeKind::AddVoter => "member add",
                                    crate::etcd::message::ConfChangeKind::AddLearner => "learner add",
                                    crate::etcd::message::ConfChangeKind::Promote => "promote",
                                    crate::etcd::message::ConfChangeKind::Remove => "member remove",
                                };
                                format!("{what} {}", names::member_short(*member))
                            }
                        },
                        synced: e.index <= n.log.stable,
                    })
                    .collect();
                MemberView {
                    id: n.id,
                    short: names::member_short(n.id),
                    node_name: names::node_name(n.id),
                    up: m.up,
                    role: n.role,
                    term: n.term,
                    vote: n.vote,
                    leader: n.leader,
                    commit: n.log.committed,
                    applied: n.log.applied,
                    last_index: last,
                    election_elapsed_ticks: n.election_elapsed_ticks,
                    election_timeout_ticks: n.randomized_election_ticks,
                    group: self.net.group_of(n.id),
                    log_tail,
                    keys: m.store.live_keys(),
                    revision: m.store.revision(),
                    progress: self
                        .leader()
                        .and_then(|l| self.member(l).node.progress().get(&n.id).map(|p| (p.matched, p.next))),
                    stable: n.log.stable,
                    compacted: n.log.snapshot_index,
                    snapshot_index: n.snapshot.as_ref().map(|s| s.index),
                    disk_latency_us: m.disk_latency_us,
                    disk_busy: m.disk_busy,
                    held_replies: m.held_messages(),
                    transferee: if n.role == Role::Leader { n.transferee } else { None },
                    learner: n.learners().contains(&n.id),
                    removed: m.removed,
                }
            })
            .collect();
        let mut messages = Vec::new();
        let mut hidden = 0;
        for (at, seq, ev) in self.pending_events() {
            let Event::Deliver { from, to, sent_us, payload } = ev else {
                continue;
            };
            if messages.len() >= MESSAGES_SHOWN_MAX {
                hidden += 1;
                continue;
            }
            let to_down = matches!(to, Endpoint::Member(m) if !self.member(*m).up);
            let (class, label, is_reply, rejected, entries) = match payload {
                Payload::Raft(m) => {
                    let class = match m.kind {
                        // TimeoutNow starts the transferee's election.
                        MsgKind::Vote | MsgKind::VoteResp | MsgKind::TimeoutNow => MessageClass::Vote,
                        MsgKind::Snap => MessageClass::Snapshot,
                        MsgKind::PreVote | MsgKind::PreVoteResp => MessageClass::PreVote,
                        MsgKind::ReadIndex | MsgKind::ReadIndexResp => MessageClass::Read,
                        MsgKind::App | MsgKind::AppResp | MsgKind::Prop => MessageClass::Append,
                        MsgKind::Heartbeat | MsgKind::HeartbeatResp => MessageClass::Heartbeat,
                    };
                    let reply = matches!(
                        m.kind,
                        MsgKind::VoteResp
                            | MsgKind::PreVoteResp
                            | MsgKind::ReadIndexResp
                            | MsgKind::AppResp
                            | MsgKind::HeartbeatResp
                    );
                    (class, m.kind.label(), reply, m.reject, m.entries.len())
                }
                Payload::ClientRequest { request } => {
                    (MessageClass::Client, self.request_label(*request), false, false, 1)
                }
                Payload::ClientReply { error, .. } => {
                    (MessageClass::Client, if *error { "error" } else { "OK" }, true, *error, 0)
                }
                Payload::ApiReply { answer, .. } => {
                    (MessageClass::Client, if answer.is_err() { "error" } else { "OK" }, true, answer.is_err(), 0)
                }
            };
            messages.push(MessageView {
                key: seq,
                from: *from,
                to: *to,
                class,
                label,
                is_reply,
                rejected,
                sent_us: *sent_us,
                deliver_us: at,
                will_drop: to_down || !self.net.connected(*from, *to),
                entries,
            });
        }
        View {
            now_us: self.now_us(),
            hash: format_hash(self.state_hash()),
            initial_members: self.initial_member_count(),
            members,
            leader: self.leader(),
            messages,
            messages_hidden: hidden,
            partitioned: self.net.is_partitioned(),
            network: self.describe_network(),
            writes_ok: self.stats.writes_ok,
            writes_failed: self.stats.writes_failed,
            pre_vote: self.member(1).node.config.pre_vote,
            check_quorum: self.member(1).node.config.check_quorum,
            snapshot_count: self.snapshot_count,
            watches: self.watch_views(),
            office: self.office_view(),
        }
    }

    /// The running watch streams, each with its newest deliveries.
    fn watch_views(&self) -> Vec<WatchView> {
        self.watch_streams()
            .iter()
            .map(|s| {
                let record = self.watch_log.streams.iter().rev().find(|r| r.id == s.id);
                let (delivered, recent) = record.map_or((0, Vec::new()), |r| {
                    let from = r.delivered.len().saturating_sub(WATCH_EVENTS_SHOWN);
                    let recent = r.delivered[from..]
                        .iter()
                        .map(|d| WatchEventView {
                            rev: d.rev,
                            kind: match d.kind {
                                EventKind::Put => "PUT",
                                EventKind::Delete => "DELETE",
                            },
                            key: d.key.to_string(),
                            value: d.value.to_string(),
                        })
                        .collect();
                    (r.dropped + r.delivered.len() as u64, recent)
                });
                WatchView {
                    id: s.id,
                    member: s.member,
                    line: self.commands().get(s.cmd as usize).map_or_else(String::new, |c| c.line.clone()),
                    next_rev: s.next_rev,
                    delivered,
                    recent,
                }
            })
            .collect()
    }

    /// The most recent `max` commands with their output, oldest first.
    pub fn recent_commands(&self, max: usize) -> Vec<CommandView> {
        let cmds = self.commands();
        let start = cmds.len().saturating_sub(max);
        let first_id = cmds.get(start).map_or(0, |c| c.id);
        let mut out: Vec<CommandView> = cmds[start..]
            .iter()
            .map(|c| CommandView {
                id: c.id,
                at_us: c.at_us,
                line: c.line.clone(),
                done: c.done_at_us.is_some(),
                failed: c.failed,
                output: Vec::new(),
            })
            .collect();
        for l in self.transcript() {
            if l.cmd >= first_id && l.kind != crate::world::LineKind::Input {
                if let Some(cv) = out.get_mut((l.cmd - first_id) as usize) {
                    cv.output.push(l.text.clone());
                }
            }
        }
        out
    }
}

/// `12.345s` — the clock as the UI and transcripts show it.
pub fn format_time_us(t_us: u64) -> String {
    format!("{}.{:03}s", t_us / 1_000_000, (t_us / 1_000) % 1_000)
}
