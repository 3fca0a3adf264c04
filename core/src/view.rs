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
    /// The robot factory (controller-manager, scheduler, nodes); `None` without Kubernetes.
    pub factory: Option<FactoryView>,
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

// ---- the robot factory (issue 5) ----------------------------------------------------------

/// Watch deliveries the factory's feed shows (the newest).
pub const FACTORY_FEED_SHOWN: usize = 12;
/// Keys shown per part of a queue (in line, waiting); the rest are counted.
pub const FACTORY_KEYS_SHOWN: usize = 8;
/// Pods shown per node (and unscheduled); the rest are counted.
pub const FACTORY_PODS_SHOWN: usize = 16;
/// Deployments the factory lists with scale buttons.
pub const FACTORY_DEPLOYMENTS_SHOWN: usize = 8;
/// Taints shown per node.
pub const FACTORY_TAINTS_SHOWN: usize = 4;

/// The factory, as its drawing shows it: the Leases, the controller-manager leader's watch
/// feed, each robot with its queue and workers, the nodes with their pods, the Deployments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactoryView {
    /// kube-controller-manager's Lease, then kube-scheduler's.
    pub leases: Vec<LeaseView>,
    /// Every kube-controller-manager instance, then every kube-scheduler instance.
    pub instances: Vec<InstanceView>,
    /// The controller-manager leader's newest watch deliveries, oldest first (at most
    /// `FACTORY_FEED_SHOWN`; empty while nobody leads). Lease renewals are left out (counted in
    /// `feed_heartbeats`): they come every few seconds and would hide the rest.
    pub feed: Vec<FeedView>,
    /// Deliveries its informer took in since it started leading, and how many of them were
    /// Lease renewals.
    pub feed_total: u64,
    pub feed_heartbeats: u64,
    /// The controller-manager's robots, then the scheduler's.
    pub robots: Vec<RobotView>,
    /// Control-plane nodes first, then workers, as the API server lists them.
    pub nodes: Vec<NodeView>,
    /// Pods not bound to any node yet (the scheduler's queue).
    pub unscheduled: Vec<PodView>,
    pub unscheduled_hidden: usize,
    /// Deployments outside the system namespaces (at most `FACTORY_DEPLOYMENTS_SHOWN`).
    pub deployments: Vec<DeploymentView>,
}

/// A leader-election Lease (`kube-system/kube-controller-manager`) as the API server has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseView {
    /// `kube-controller-manager` or `kube-scheduler`.
    pub component: &'static str,
    /// `holderIdentity` (`""`: none).
    pub holder: String,
    /// The pod of the instance that holds it.
    pub holder_pod: Option<String>,
    /// How long ago `renewTime` was (`None`: no renewTime).
    pub renewed_ago_us: Option<u64>,
    pub duration_us: u64,
    /// The holder gives up leading when it could not renew for this long.
    pub renew_deadline_us: u64,
}

/// One kube-controller-manager or kube-scheduler process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceView {
    pub component: &'static str,
    /// Its control-plane node (`lab controller-manager crash N` takes this number).
    pub node: MemberId,
    pub node_name: String,
    pub pod: String,
    pub up: bool,
    pub leading: bool,
    pub restarts: u32,
}

/// One change the leader's informer took in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedView {
    /// Counts deliveries (a stable key for the drawing).
    pub seq: u64,
    pub at_us: u64,
    /// The resource's plural name (`pods`).
    pub resource: &'static str,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    /// `namespace/name` (or `name`).
    pub key: String,
    pub resource_version: u64,
    /// From a LIST (the informer's first sync or a relist after 410 Gone), not a WATCH event.
    pub listed: bool,
}

/// One controller (a robot) of the leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotView {
    /// As kube-controller-manager logs it (`deployment`, `replicaset`, …; `scheduler`).
    pub name: &'static str,
    pub component: &'static str,
    /// A leader runs it (false: nobody leads; its queue went with the process).
    pub running: bool,
    /// Keys in line, first out first (at most `FACTORY_KEYS_SHOWN`).
    pub queued: Vec<QueuedKeyView>,
    pub queued_total: usize,
    /// Keys parked until a time (a back-off or a requeue-after), soonest first.
    pub waiting: Vec<WaitingKeyView>,
    pub waiting_total: usize,
    pub workers: Vec<WorkerView>,
    /// Adds that found their key already in line (each one a sync saved).
    pub deduped: u64,
    pub syncs: u64,
    /// Writes answered 409 Conflict.
    pub conflicts: u64,
    /// The newest reconcile that found a difference or wrote something.
    pub last: Option<ReconcileView>,
    /// The newest sync of all (often the same; else a later one that found nothing to do).
    pub latest: Option<ReconcileView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedKeyView {
    pub key: String,
    /// Adds since it got in line (2 or more: deduplicated into one sync).
    pub adds: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingKeyView {
    pub key: String,
    pub due_us: u64,
    /// Failed syncs so far: > 0 is an exponential back-off, 0 a requeue-after.
    pub failures: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerView {
    /// The key it syncs (`None`: idle).
    pub key: Option<String>,
    /// The key changed again while it works (it goes back in line when done).
    pub dirty: bool,
    /// Changes to its key seen meanwhile, all handled by that one next sync (0 unless dirty).
    pub merged: u32,
    /// Its writes still waiting for the API server's answer.
    pub pending: usize,
}

/// One sync of a key: desired against current, and the writes it sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconcileView {
    pub key: String,
    pub at_us: u64,
    pub diff: Option<crate::controllers::Diff>,
    /// Writes the plan holds (batches after a failure are never sent).
    pub planned: usize,
    /// The writes sent, in order (at most `world::factory_view::ACTIONS_MAX`).
    pub actions: Vec<ActionView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionView {
    /// `create`, `update`, `patch`, `delete`.
    pub verb: &'static str,
    pub resource: &'static str,
    /// `""`, `status` or `binding`.
    pub subresource: &'static str,
    /// The object's name (a created pod's generated name once answered).
    pub name: String,
    /// The HTTP status (`None`: not answered yet; 0: no answer, the connection was lost).
    pub code: Option<u16>,
}

/// A pod's state as `kubectl get pods` words it, for the drawing's icons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodPhase {
    /// Not bound to a node, or bound and not started by its kubelet yet.
    Pending,
    /// Bound; its kubelet pulls the image.
    ContainerCreating,
    Running,
    /// Marked for deletion (its kubelet stops it, or the node is gone).
    Terminating,
    /// Anything else (`Completed`, `Error`, `NotReady`, …; see `PodView::status`).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    pub phase: PodPhase,
    /// kubectl's STATUS column (`Running`, `ContainerCreating`, `Terminating`, …).
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    pub control_plane: bool,
    /// The Ready condition's status as the API server has it: `True`, `False`, `Unknown`
    /// (`""`: no condition yet).
    pub ready: &'static str,
    /// Cordoned (`spec.unschedulable`).
    pub unschedulable: bool,
    /// `key:Effect` (at most `FACTORY_TAINTS_SHOWN`).
    pub taints: Vec<String>,
    /// The lab's own truth, which the API server only learns late: its kubelet runs, and
    /// reaches the API servers.
    pub kubelet_up: bool,
    pub reachable: bool,
    /// The pods bound to it outside kube-system (at most `FACTORY_PODS_SHOWN`).
    pub pods: Vec<PodView>,
    pub pods_hidden: usize,
    /// kube-system pods bound to it (static pods, kube-proxy, kindnet, CoreDNS).
    pub system_pods: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentView {
    pub namespace: String,
    pub name: String,
    /// `spec.replicas`.
    pub replicas: u64,
    /// `status.readyReplicas`, `updatedReplicas`, `availableReplicas`.
    pub ready: u64,
    pub updated: u64,
    pub available: u64,
}

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
            factory: self.factory_view(),
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
