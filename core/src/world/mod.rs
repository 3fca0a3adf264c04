//! The world: etcd members on a simulated network, driven by commands at simulated instants.
//!
//! `submit` applies a command line now; `run_until` advances time. The world's state is a pure
//! function of (seed, topology, timed commands) — DESIGN.md "Determinism".

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::etcd::client::{self, ClientOp, Header};
use crate::etcd::message::{ConfChangeKind, EntryData, MemberId, Message, Origin};
use crate::etcd::mutant::Mutant;
use crate::etcd::mvcc::{KeyRange, MvccStore, TxnOp};
use crate::etcd::raft::{DiskWrite, RaftConfig, RaftNode, ReadState, Role, TICK_US};
use crate::etcd::snapshot::{Snapshot, SnapshotData, SNAPSHOT_CATCH_UP_DIVISOR, SNAPSHOT_COUNT_DEFAULT};
use crate::hash::Fnv64;
use crate::i18n::{Lang, Text};
use crate::names;
use crate::shell::{self, Command, MemberRef, RaftOption, Side};
use crate::sim::network::{Endpoint, Network, MEMBERS_MAX};
use crate::sim::queue::EventQueue;
use crate::sim::rng::SimRng;
use crate::sim::US_PER_S;
use crate::watch::{self, WatchHub, WatchLog};

mod factory;
mod factory_view;
mod kubectl_steps;
mod kubelet;
mod logs;
mod office;
pub use factory::{Component, Factory, FactoryEvent, Instance, Kubelet};
pub use office::{Office, Teller, ETCD_REQUEST_TIMEOUT_US};

/// kube-apiserver's `--request-timeout` (a request is answered by then, if only with 504).
pub fn office_request_timeout_us() -> u64 {
    office::API_REQUEST_TIMEOUT_US
}

/// etcdctl's `--command-timeout` (etcd `etcdctl/ctlv3/ctl.go`): a write not answered in 5 s
/// fails with `Error: context deadline exceeded`.
pub const CLIENT_TIMEOUT_US: u64 = 5 * US_PER_S;
/// The transcript keeps this many lines; older ones are dropped (counted in `transcript_dropped`).
pub const TRANSCRIPT_LINES_MAX: usize = 20_000;
/// A world lives at most two hours of simulated time (a class is 50 minutes). Scenarios are
/// validated against it, so a hostile link cannot make the page replay for minutes.
pub const TIME_US_MAX: u64 = 2 * 3600 * US_PER_S;

/// A member's fsync latency unless `lab disk` slows it: a fast SSD (etcd's tuning guide wants
/// the WAL fsync p99 under 10 ms).
pub const DISK_LATENCY_US_DEFAULT: u64 = 1_000;
/// The slowest disk `lab disk` allows.
pub const DISK_LATENCY_US_MAX: u64 = 10 * US_PER_S;
/// How long a graceful stop waits for the leadership transfer (etcd's request timeout, 7 s).
pub const STOP_TRANSFER_US_MAX: u64 = 7 * US_PER_S;
/// A removed member that did not apply its own removal stops this long after its peers did.
const REMOVED_SHUTDOWN_US: u64 = 100_000;
/// How often a graceful stop looks whether leadership has moved.
const STOP_POLL_US: u64 = 10_000;

/// Which etcd member sizes the lab offers (odd sizes, etcd FAQ).
pub const MEMBER_COUNTS: [u8; 4] = [1, 3, 5, 7];

#[derive(Clone, Debug, Hash)]
pub enum Payload {
    Raft(Message),
    /// A client's request (its body, a [`ClientOp`], is in the world's request table).
    ClientRequest {
        request: u64,
    },
    /// The answer: what etcdctl prints, or its error (printed as `Error: …`).
    ClientReply {
        request: u64,
        lines: Vec<String>,
        error: bool,
    },
    /// etcd's answer to an API server's request, as data (the API server decodes the objects).
    ApiReply {
        request: u64,
        answer: Rc<Result<crate::apiserver::handler::EtcdAnswer, String>>,
    },
}

#[derive(Clone, Debug, Hash)]
pub enum Event {
    Tick {
        member: MemberId,
        generation: u32,
    },
    Deliver {
        from: Endpoint,
        to: Endpoint,
        sent_us: u64,
        payload: Payload,
    },
    RequestTimeout {
        request: u64,
    },
    Wake {
        cmd: u32,
    },
    /// A member's disk finished write number `number` of its life.
    DiskWritten {
        member: MemberId,
        generation: u32,
        write: DiskWrite,
        number: u32,
    },
    /// A removed member stops: its peers now reject it (etcd's rafthttp refuses a removed
    /// member, which then shuts itself down).
    Shutdown {
        member: MemberId,
        generation: u32,
    },
    /// A graceful stop waiting for the leadership transfer to finish.
    StopPoll {
        cmd: u32,
        member: MemberId,
        generation: u32,
        deadline_us: u64,
    },
    /// An API request reaches its API server (through kind's load balancer).
    ApiArrive {
        request: u64,
    },
    /// An API server's response reaches kubectl.
    ApiRespond {
        request: u64,
    },
    /// Something in the robot factory (controllers, scheduler, kubelets) is due.
    Factory(factory::FactoryEvent),
    /// A kubectl command of several requests has something due (a drain's next poll, a
    /// `--timeout`).
    KubectlWake {
        cmd: u32,
    },
}

#[derive(Clone, Debug, Hash)]
pub struct Member {
    pub node: RaftNode,
    pub up: bool,
    /// Bumped on crash and restart so ticks scheduled by an earlier life are ignored.
    generation: u32,
    /// The applied key-value state: etcd's MVCC store, rebuilt from the log on restart.
    pub store: MvccStore,
    /// Confirmed linearizable reads waiting for this member to apply up to their index.
    reads: Vec<ReadState>,
    /// Granted leases (etcd's lessor): id → TTL and when it expires on this member's clock.
    pub leases: BTreeMap<u64, Lease>,
    /// The term in which this member, as leader, last extended every lease (etcd `Promote`).
    promoted_term: u64,
    /// Leases whose revocation this member (as leader) has proposed and not yet seen applied.
    revoking: Vec<u64>,
    /// This member's fsync latency (`lab disk`).
    pub disk_latency_us: u64,
    /// A disk write is in flight; writes go one at a time, as etcd's WAL fsyncs do.
    pub disk_busy: bool,
    /// Disk writes begun in this life.
    disk_writes: u32,
    /// Replies waiting for the disk write numbered with them (Raft Fig. 2: persist, then
    /// answer). A leader's own messages do not wait (Raft thesis §10.2.1, as etcd does).
    held: Vec<(u32, Message)>,
    /// `move-leader` requests this member (the leader) accepted: request → transferee.
    move_leader_waiting: Vec<(u64, MemberId)>,
    /// The log index the store has applied (etcd's consistent index in the backend). The store
    /// and leases are the backend: they survive a crash, and a restart replays the log after it.
    pub backend_index: u64,
    /// The membership as of `backend_index` (etcd keeps the members in the backend too).
    backend_voters: Vec<MemberId>,
    backend_learners: Vec<MemberId>,
    /// Removed from the cluster (`member remove`): down for good, its number never reused.
    pub removed: bool,
    /// The name and peer URL `member list` prints (`member add NAME --peer-urls=URL`).
    pub etcd_name: String,
    pub peer_url: String,
}

pub use crate::etcd::snapshot::Lease;

/// etcd's minimum lease TTL: ceil(1.5 × election timeout) = 2 s (etcd `server.go` `minTTL`).
pub const LEASE_TTL_S_MIN: u64 = 2;
/// etcd's largest lease TTL (`MaxLeaseTTL`, 9,000,000,000 s) is far beyond the lab's 2 hours.
pub const LEASE_TTL_S_MAX: u64 = 9_000_000_000;

impl Member {
    /// Which life of the member this is: bumped by every crash and restart.
    pub fn life(&self) -> u32 {
        self.generation
    }

    /// Replies waiting for the disk.
    pub fn held_messages(&self) -> usize {
        self.held.len()
    }

    fn new(node: RaftNode) -> Member {
        let id = node.id;
        let (backend_voters, backend_learners) = (node.voters().to_vec(), node.learners().to_vec());
        Member {
            node,
            up: true,
            generation: 0,
            store: MvccStore::new(),
            reads: Vec::new(),
            leases: BTreeMap::new(),
            promoted_term: 0,
            revoking: Vec::new(),
            disk_latency_us: DISK_LATENCY_US_DEFAULT,
            disk_busy: false,
            disk_writes: 0,
            held: Vec::new(),
            move_leader_waiting: Vec::new(),
            backend_index: 0,
            backend_voters,
            backend_learners,
            removed: false,
            etcd_name: names::node_name(id),
            peer_url: format!("https://{}:2380", client::node_ip(id)),
        }
    }

    /// Everything volatile is gone; the node is what its disk holds.
    fn lose_volatile(&mut self, rng: &mut SimRng) {
        self.generation += 1;
        self.reads.clear();
        self.revoking.clear();
        self.held.clear();
        self.disk_busy = false;
        self.disk_writes = 0;
        self.move_leader_waiting.clear();
        self.node = self.node.reboot(rng);
    }
}

#[derive(Clone, Debug, Hash)]
struct ClientRequest {
    cmd: u32,
    via: MemberId,
    done: bool,
    op: ClientOp,
    /// When the client sent it, and when the answer reached the client (None: no answer,
    /// e.g. a timeout — the outcome is unknown).
    invoked_us: u64,
    answered_us: Option<u64>,
    /// The answer was an error (the request had no effect).
    failed: bool,
    /// A single-key read: the value it returned (None: the key was absent).
    observed: Option<Option<Rc<str>>>,
    /// `endpoint status|health` answer one request per endpoint; each answer waits here until
    /// all have answered, then the command prints them in order (lines, is an error).
    held: Option<(Vec<String>, bool)>,
}

/// One client operation on one key, for the linearizability checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryOp {
    pub key: Rc<str>,
    pub kind: HistoryKind,
    pub invoked_us: u64,
    /// None: the client never learned the outcome (it may or may not have happened).
    pub answered_us: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryKind {
    Write(Rc<str>),
    Delete,
    /// A linearizable read and what it returned.
    Read(Option<Rc<str>>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// The command as typed (`$ …`).
    Input,
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TranscriptLine {
    pub at_us: u64,
    pub cmd: u32,
    pub kind: LineKind,
    pub text: Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CommandRecord {
    pub id: u32,
    pub at_us: u64,
    pub line: String,
    /// When the command finished (its output is complete). `None` while it runs.
    pub done_at_us: Option<u64>,
    /// True when it failed (parse error, timeout, unknown member).
    pub failed: bool,
}

/// Counters for the diagrams and tests; part of the state.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
pub struct Stats {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub messages_duplicated: u64,
    pub writes_ok: u64,
    pub writes_failed: u64,
    /// Snapshots a follower installed from its leader (InstallSnapshot).
    pub snapshots_installed: u64,
    /// `member add|promote|remove` answered OK.
    pub membership_changes: u64,
    /// Leaderships handed over (`move-leader` answered OK, or a graceful stop that handed over).
    pub transfers: u64,
}

#[derive(Clone, Debug)]
pub struct World {
    seed: u64,
    now_us: u64,
    rng: SimRng,
    queue: EventQueue<Event>,
    pub net: Network,
    members: Vec<Member>,
    /// Earliest time the next message may arrive on each link, so links are FIFO like TCP.
    /// Index: `link_slot(from) * LINK_SLOTS + link_slot(to)`.
    link_free_us: Vec<u64>,
    requests: BTreeMap<u64, ClientRequest>,
    next_request: u64,
    commands: Vec<CommandRecord>,
    transcript: Vec<TranscriptLine>,
    transcript_dropped: u64,
    pub stats: Stats,
    /// Applied entries between snapshots (`--snapshot-count`; `lab set snapshot-count`).
    pub snapshot_count: u64,
    /// Members at creation (a scenario replays from this topology).
    initial_members: u8,
    /// The kubeconfig's current context (an index into `k8s::kubeconfig::CONTEXTS`).
    kube_context: usize,
    /// The `member add|promote|remove` request in flight: the lab takes one at a time.
    membership_request: Option<u64>,
    /// Reused buffer for draining a member's outbox (not state: always empty between steps).
    outbox_spare: Vec<Message>,
    /// `etcdctl watch` streams (state), and what they delivered (a record, like the transcript).
    watches: WatchHub,
    pub watch_log: WatchLog,
    /// Reused buffer for the streams' output (not state: always empty between steps).
    watch_out: Vec<watch::Output>,
    /// The Kubernetes control plane on top of etcd (`None`: an etcd-only world, as the lab's
    /// first lessons and old share links use).
    office: Option<Office>,
    /// The controllers, schedulers and kubelets (with an office only).
    factory: Option<factory::Factory>,
    /// What every member's store holds at log index 0 (the fresh cluster's objects).
    genesis: Option<Rc<MvccStore>>,
    /// `| grep` filters on commands' standard output, by command.
    filters: BTreeMap<u32, Vec<shell::pipe::Grep>>,
    /// Running kubectl commands of several requests (`rollout`, `set image`, `drain`), by command.
    kubectl_steps: BTreeMap<u32, kubectl_steps::Flow>,
}

const LINK_SLOTS: usize = 2 * MEMBERS_MAX as usize;

/// Whether a key range may hold Kubernetes objects (keys under `/registry/`).
fn range_in_registry(r: &KeyRange) -> bool {
    match r {
        KeyRange::Key(k) | KeyRange::Prefix(k) | KeyRange::Range(k, _) => {
            // `/registry/pods/…`, or a wider prefix such as `/` or the whole keyspace.
            k.starts_with("/registry") || "/registry".starts_with(&**k)
        }
    }
}

fn link_slot(e: Endpoint) -> usize {
    match e {
        Endpoint::Member(m) => (m - 1) as usize,
        Endpoint::Client(m) => MEMBERS_MAX as usize + (m - 1) as usize,
    }
}

impl World {
    /// A new cluster of `members` etcd members (1, 3, 5 or 7), empty logs, at time 0.
    pub fn new(seed: u64, members: u8) -> World {
        assert!(MEMBER_COUNTS.contains(&members), "unsupported member count {members}");
        World::with_config(seed, members, RaftConfig::default())
    }

    /// A new cluster of 1 to 7 members with the given Raft configuration (even sizes are valid
    /// etcd clusters too; the UI offers the odd ones the etcd FAQ recommends).
    pub fn with_config(seed: u64, members: u8, config: RaftConfig) -> World {
        assert!((1..=MEMBERS_MAX).contains(&members), "unsupported member count {members}");
        let mut rng = SimRng::new(seed);
        let voters: Vec<MemberId> = (1..=members).collect();
        let members_vec =
            voters.iter().map(|&id| Member::new(RaftNode::new(id, voters.clone(), config, &mut rng))).collect();
        let mut w = World {
            seed,
            now_us: 0,
            rng,
            queue: EventQueue::default(),
            net: Network::default(),
            members: members_vec,
            link_free_us: vec![0; LINK_SLOTS * LINK_SLOTS],
            requests: BTreeMap::new(),
            next_request: 1,
            commands: Vec::new(),
            transcript: Vec::new(),
            transcript_dropped: 0,
            stats: Stats::default(),
            snapshot_count: SNAPSHOT_COUNT_DEFAULT,
            membership_request: None,
            initial_members: members,
            kube_context: crate::k8s::kubeconfig::default_context(),
            outbox_spare: Vec::new(),
            watches: WatchHub::default(),
            watch_log: WatchLog::default(),
            watch_out: Vec::new(),
            office: None,
            factory: None,
            genesis: None,
            filters: BTreeMap::new(),
            kubectl_steps: BTreeMap::new(),
        };
        // Each member's ticker starts at its own phase, as independent processes do.
        for id in voters {
            let phase_us = w.rng.below(TICK_US);
            w.queue.push(phase_us, Event::Tick { member: id, generation: 0 });
        }
        w
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The world's deliberate bug, if any (`lab check --mutant`; acts only with the `mutants`
    /// feature). It rides in the Raft configuration every member shares.
    pub fn mutant(&self) -> Option<Mutant> {
        self.members.first().and_then(|m| m.node.config.mutant)
    }

    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    /// How many members the world was created with (later ones came from `member add`).
    pub fn initial_member_count(&self) -> u8 {
        self.initial_members
    }

    pub fn member_count(&self) -> u8 {
        self.members.len() as u8
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }

    pub fn member(&self, id: MemberId) -> &Member {
        &self.members[(id - 1) as usize]
    }

    pub fn commands(&self) -> &[CommandRecord] {
        &self.commands
    }

    pub fn transcript(&self) -> &[TranscriptLine] {
        &self.transcript
    }

    /// The transcript from line `cursor` on, as a terminal shows it (`$ ` before commands).
    pub fn render_transcript(&self, cursor: usize, lang: Lang) -> String {
        let mut out = String::new();
        for l in self.transcript.iter().skip(cursor) {
            if l.kind == LineKind::Input {
                out.push_str("$ ");
            }
            out.push_str(l.text.get(lang));
            out.push('\n');
        }
        out
    }

    pub fn pending_events(&self) -> Vec<(u64, u64, &Event)> {
        self.queue.sorted()
    }

    /// Events scheduled since sequence number `seq` (unordered; for checkers), and the next one.
    pub fn events_since(&self, seq: u64) -> (impl Iterator<Item = (u64, &Event)> + '_, u64) {
        (self.queue.pushed_since(seq), self.queue.next_seq())
    }

    /// The leader a lesson means by `leader`: the up member in the leader role with the highest
    /// term (a deposed leader in a minority may still believe it leads in an older term).
    pub fn leader(&self) -> Option<MemberId> {
        self.members
            .iter()
            .filter(|m| m.up && m.node.role == Role::Leader)
            .max_by_key(|m| m.node.term)
            .map(|m| m.node.id)
    }

    // ---- time ---------------------------------------------------------------------------

    /// Processes every event at or before `t_us`, then sets the clock to `t_us`.
    pub fn run_until(&mut self, t_us: u64) {
        let t_us = t_us.min(TIME_US_MAX);
        while let Some(at) = self.queue.peek_time_us() {
            if at > t_us {
                break;
            }
            self.step_event();
        }
        if t_us > self.now_us {
            self.now_us = t_us;
        }
    }

    /// Processes the next event; false if there is none.
    pub fn step_event(&mut self) -> bool {
        let Some((at, event)) = self.queue.pop() else {
            return false;
        };
        debug_assert!(at >= self.now_us, "time went backwards");
        self.now_us = at;
        self.handle(event);
        self.pump_watches();
        self.pump_office();
        self.pump_factory();
        true
    }

    /// Lets every `etcdctl watch` stream print what its member has applied (`crate::watch`).
    fn pump_watches(&mut self) {
        if self.watches.streams().is_empty() {
            return;
        }
        let mutant = self.members[0].node.config.mutant;
        let mut out = std::mem::take(&mut self.watch_out);
        self.watches.pump(&mut self.watch_log, &self.members, &self.net, mutant, &mut out);
        for (cmd, kind, text) in out.drain(..) {
            self.push_line(cmd, kind, text);
        }
        self.watch_out = out;
    }

    /// The running `etcdctl watch` streams.
    pub fn watch_streams(&self) -> &[watch::Stream] {
        self.watches.streams()
    }

    /// Time of the next pending event.
    pub fn next_event_us(&self) -> Option<u64> {
        self.queue.peek_time_us()
    }

    /// Runs until command `cmd` has finished (or `TIME_US_MAX`), then settles every event at
    /// that same instant, so the next command is submitted exactly as a replay would submit it.
    pub fn run_until_done(&mut self, cmd: u32) {
        while self.commands[cmd as usize].done_at_us.is_none() {
            if !self.step_event() || self.now_us >= TIME_US_MAX {
                break;
            }
        }
        self.run_until(self.now_us);
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Tick { member, generation } => {
                let m = &mut self.members[(member - 1) as usize];
                if !m.up || m.generation != generation {
                    return;
                }
                m.node.tick(&mut self.rng);
                self.queue.push(self.now_us + TICK_US, Event::Tick { member, generation });
                self.expire_leases(member);
                self.maybe_snapshot(member);
                self.flush(member);
            }
            Event::DiskWritten { member, generation, write, number } => {
                let m = &mut self.members[(member - 1) as usize];
                if !m.up || m.generation != generation {
                    return;
                }
                m.node.disk_written(write);
                m.disk_busy = false;
                // The replies this write covers may go now.
                // Held in write order, so the ones this write covers are a prefix.
                let mut held = std::mem::take(&mut m.held);
                let covered = held.partition_point(|(n, _)| *n <= number);
                for (_, msg) in held.drain(..covered) {
                    let to = Endpoint::Member(msg.to);
                    self.send(Endpoint::Member(member), to, Payload::Raft(msg));
                }
                self.members[(member - 1) as usize].held = held;
                self.flush(member);
            }
            Event::StopPoll { cmd, member, generation, deadline_us } => {
                let m = &self.members[(member - 1) as usize];
                if !m.up || m.generation != generation {
                    self.finish(cmd, false);
                    return;
                }
                // Done once it follows someone else (etcd waits for `Lead() == transferee`).
                let handed_over = m.node.leader.is_some_and(|l| l != member);
                if !handed_over && self.now_us < deadline_us {
                    let next = Event::StopPoll { cmd, member, generation, deadline_us };
                    self.queue.push(self.now_us + STOP_POLL_US, next);
                    return;
                }
                let (ko, en) = match m.node.leader.filter(|&l| l != member) {
                    Some(l) => {
                        self.stats.transfers += 1;
                        let to = names::member_short(l);
                        (format!("리더십을 {to}에게 넘기고 중지됨"), format!("handed leadership to {to}, then stopped"))
                    }
                    None => (
                        "리더십 이전이 끝나지 않은 채 중지됨".to_string(),
                        "stopped before the leadership transfer finished".to_string(),
                    ),
                };
                self.take_down(member);
                self.say_member(cmd, member, &ko, &en);
                self.finish(cmd, false);
            }
            Event::Deliver { from, to, payload, .. } => self.deliver(from, to, payload),
            Event::RequestTimeout { request } => {
                if self.api_owns(request) {
                    // etcd gives up on a request it cannot commit or confirm within its request
                    // timeout and answers `etcdserver: request timed out` (etcd `ErrTimeout`).
                    if self.requests.get(&request).is_some_and(|r| !r.done) {
                        self.api_etcd_reply(request, Err("etcdserver: request timed out".to_string()));
                    }
                    return;
                }
                let Some(req) = self.requests.get_mut(&request) else {
                    return;
                };
                if req.done {
                    return;
                }
                req.done = true;
                let cmd = req.cmd;
                match &req.op {
                    ClientOp::EndpointStatus { endpoint, .. } => {
                        let line =
                            format!("Failed to get the status of endpoint {endpoint} (context deadline exceeded)");
                        req.held = Some((vec![line], true));
                        self.finish_endpoints(cmd);
                        return;
                    }
                    ClientOp::EndpointHealth { endpoint } => {
                        let line =
                            format!("{endpoint} is unhealthy: failed to commit proposal: context deadline exceeded");
                        req.held = Some((vec![line], true));
                        self.finish_endpoints(cmd);
                        return;
                    }
                    ClientOp::Put { .. } | ClientOp::Delete { .. } | ClientOp::Txn(_) => self.stats.writes_failed += 1,
                    _ => {}
                }
                self.say(cmd, LineKind::Stderr, Text::same("Error: context deadline exceeded"));
                self.finish(cmd, true);
            }
            Event::Wake { cmd } => self.finish(cmd, false),
            Event::ApiArrive { request } => self.api_arrive(request),
            Event::ApiRespond { request } => self.api_respond(request),
            Event::Factory(e) => self.handle_factory(e),
            Event::KubectlWake { cmd } => self.kubectl_steps_wake(cmd),
            Event::Shutdown { member, generation } => {
                let m = &self.members[(member - 1) as usize];
                if m.up && m.generation == generation {
                    self.take_down(member);
                }
            }
        }
    }

    fn deliver(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let reachable = self.net.connected(from, to)
            && match to {
                Endpoint::Member(m) => self.members[(m - 1) as usize].up,
                Endpoint::Client(_) => true,
            };
        if !reachable {
            self.stats.messages_dropped += 1;
            return;
        }
        self.stats.messages_delivered += 1;
        match (to, payload) {
            (Endpoint::Member(id), Payload::Raft(msg)) => {
                self.members[(id - 1) as usize].node.step(msg, &mut self.rng);
                self.flush(id);
            }
            (Endpoint::Member(id), Payload::ClientRequest { request }) => {
                let Some(op) = self.requests.get(&request).map(|r| r.op.clone()) else {
                    return;
                };
                let origin = Origin { member: id, request };
                let node = &mut self.members[(id - 1) as usize].node;
                let write = matches!(
                    op,
                    ClientOp::Put { .. }
                        | ClientOp::Delete { .. }
                        | ClientOp::Compact { .. }
                        | ClientOp::LeaseGrant { .. }
                        | ClientOp::LeaseRevoke { .. }
                        | ClientOp::LeaseKeepAlive { .. }
                        | ClientOp::Txn(_)
                );
                if write && node.role == Role::Leader && node.transferee.is_some() {
                    // A leader handing over refuses proposals (etcd/raft `ErrProposalDropped`),
                    // and etcd returns that error to the client at once.
                    let lines = vec!["raft proposal dropped".to_string()];
                    self.send(
                        Endpoint::Member(id),
                        Endpoint::Client(id),
                        Payload::ClientReply { request, lines, error: true },
                    );
                    return;
                }
                // A request dropped here (no leader known) is never answered: the client
                // times out, as etcdctl does.
                match op {
                    ClientOp::Put { key, value, lease } => {
                        node.propose(EntryData::Put { key, value, lease }, origin);
                    }
                    ClientOp::LeaseGrant { ttl_s } => {
                        let id = client::lease_id(id, request);
                        node.propose(EntryData::LeaseGrant { id, ttl_s }, origin);
                    }
                    ClientOp::LeaseRevoke { id } => {
                        node.propose(EntryData::LeaseRevoke { id }, origin);
                    }
                    ClientOp::LeaseKeepAlive { id } => {
                        node.propose(EntryData::LeaseKeepAlive { id }, origin);
                    }
                    ClientOp::LeaseTimeToLive { .. } | ClientOp::EndpointHealth { .. } => {
                        node.read_index(origin);
                    }
                    ClientOp::EndpointStatus { endpoint, .. } => {
                        let m = &self.members[(id - 1) as usize];
                        let row = vec![
                            endpoint,
                            format!("{:016x}", client::member_id(id)),
                            client::ETCD_VERSION.to_string(),
                            // A fresh etcd database is about 20 kB; the lab adds a rough 100 B per
                            // revision (a simplification: no real bbolt pages).
                            client::human_bytes(20_480 + 100 * m.store.revision()),
                            (m.node.role == Role::Leader).to_string(),
                            "false".to_string(),
                            m.node.term.to_string(),
                            m.node.log.last_index().to_string(),
                            m.node.log.applied.to_string(),
                            String::new(),
                        ];
                        let reply = Payload::ClientReply { request, lines: row, error: false };
                        self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
                    }
                    ClientOp::Delete { range } => {
                        node.propose(EntryData::Delete { range }, origin);
                    }
                    ClientOp::Get(q) if q.serializable => self.serve_read(id, request),
                    ClientOp::Get(_) => {
                        node.read_index(origin);
                    }
                    ClientOp::Compact { revision } => {
                        node.propose(EntryData::Compact { revision }, origin);
                    }
                    ClientOp::MoveLeader { target } => {
                        let transferee = node.voters().iter().copied().find(|&v| client::member_id(v) == target);
                        let refused = if node.role != Role::Leader {
                            Some("etcdserver: not leader")
                        } else if transferee.is_none() {
                            Some("etcdserver: bad leader transferee")
                        } else {
                            None
                        };
                        match (refused, transferee) {
                            (None, Some(t)) => {
                                node.transfer_leader(t);
                                self.members[(id - 1) as usize].move_leader_waiting.push((request, t));
                            }
                            (error, _) => {
                                let lines = vec![error.unwrap_or("etcdserver: bad leader transferee").to_string()];
                                let reply = Payload::ClientReply { request, lines, error: true };
                                self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
                            }
                        }
                    }
                    ClientOp::Txn(t) => {
                        node.propose(EntryData::Txn(t), origin);
                    }
                    ClientOp::MemberList { table } => {
                        let mut all: Vec<MemberId> = node.voters().iter().chain(node.learners()).copied().collect();
                        all.sort_unstable();
                        let learners = node.learners().to_vec();
                        let rows: Vec<client::MemberRow<'_>> = all
                            .iter()
                            .filter_map(|&m| self.members.get((m - 1) as usize).map(|x| (m, x)))
                            .map(|(m, x)| client::MemberRow {
                                member: m,
                                name: &x.etcd_name,
                                peer_url: &x.peer_url,
                                learner: learners.contains(&m),
                            })
                            .collect();
                        let lines = client::format_member_list(&rows, table);
                        let reply = Payload::ClientReply { request, lines, error: false };
                        self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
                    }
                    ClientOp::MemberAdd { learner, member, .. } => {
                        let kind = if learner { ConfChangeKind::AddLearner } else { ConfChangeKind::AddVoter };
                        match self.may_change_membership(id, kind, member) {
                            Ok(()) => {
                                self.members[(id - 1) as usize].node.propose_conf_change(kind, member, origin);
                            }
                            Err(e) => self.refuse(id, request, e),
                        }
                    }
                    ClientOp::MemberPromote { id: hex } | ClientOp::MemberRemove { id: hex } => {
                        let kind = if matches!(op, ClientOp::MemberPromote { .. }) {
                            ConfChangeKind::Promote
                        } else {
                            ConfChangeKind::Remove
                        };
                        let target = (1..=self.member_count())
                            .find(|&m| client::member_id(m) == hex && !self.members[(m - 1) as usize].removed);
                        let checked = match target {
                            None => Err("etcdserver: member not found"),
                            Some(t) => self.may_change_membership(id, kind, t).map(|()| t),
                        };
                        match checked {
                            Ok(t) => {
                                self.members[(id - 1) as usize].node.propose_conf_change(kind, t, origin);
                            }
                            Err(e) => self.refuse(id, request, e),
                        }
                    }
                }
                self.flush(id);
            }
            (Endpoint::Client(_), Payload::ApiReply { request, answer }) => {
                self.api_etcd_reply(request, (*answer).clone());
            }
            (Endpoint::Client(_), Payload::ClientReply { request, lines, error }) if self.api_owns(request) => {
                // An etcd error the member answered at once (e.g. a proposal dropped mid-transfer).
                let answer = if error { Err(lines.join("\n")) } else { Err("etcdserver: unexpected answer".into()) };
                self.api_etcd_reply(request, answer);
            }
            (Endpoint::Client(_), Payload::ClientReply { request, lines, error }) => {
                let Some(req) = self.requests.get_mut(&request) else {
                    return;
                };
                if req.done {
                    return;
                }
                req.done = true;
                req.answered_us = Some(self.now_us);
                req.failed = error;
                let cmd = req.cmd;
                match &req.op {
                    ClientOp::EndpointStatus { .. } => {
                        req.held = Some((lines, false));
                        self.finish_endpoints(cmd);
                        return;
                    }
                    ClientOp::EndpointHealth { endpoint } => {
                        let took = client::go_duration_us(self.now_us - req.invoked_us);
                        let line = format!("{endpoint} is healthy: successfully committed proposal: took = {took}");
                        req.held = Some((vec![line], false));
                        self.finish_endpoints(cmd);
                        return;
                    }
                    _ => {}
                }
                let is_write = matches!(req.op, ClientOp::Put { .. } | ClientOp::Delete { .. } | ClientOp::Txn(_));
                if is_write {
                    if error {
                        self.stats.writes_failed += 1;
                    } else {
                        self.stats.writes_ok += 1;
                    }
                }
                let added = match req.op {
                    ClientOp::MemberAdd { member, .. } if !error => Some(member),
                    _ => None,
                };
                if !error {
                    match req.op {
                        ClientOp::MemberAdd { .. } | ClientOp::MemberPromote { .. } | ClientOp::MemberRemove { .. } => {
                            self.stats.membership_changes += 1
                        }
                        ClientOp::MoveLeader { .. } => self.stats.transfers += 1,
                        _ => {}
                    }
                }
                for line in lines {
                    let (kind, text) =
                        if error { (LineKind::Stderr, format!("Error: {line}")) } else { (LineKind::Stdout, line) };
                    self.say(cmd, kind, Text::same(text));
                }
                if let Some(m) = added {
                    // An operator would now start etcd on the new node with those settings.
                    let who = format!("{} ({})", names::member_short(m), names::node_name(m));
                    self.say(
                        cmd,
                        LineKind::Stdout,
                        Text::new(
                            format!("lab: 위 ETCD_* 설정으로 {who}을(를) 시작했습니다"),
                            format!("lab: started {who} with the ETCD_* settings above"),
                        ),
                    );
                }
                self.finish(cmd, error);
            }
            (to, payload) => debug_assert!(false, "misrouted {payload:?} to {to:?}"),
        }
    }

    /// Sends what member `id` queued and applies what it committed.
    fn flush(&mut self, id: MemberId) {
        let idx = (id - 1) as usize;
        // A snapshot from the leader replaces the state machine before anything is applied.
        if let Some(snap) = self.members[idx].node.restored.take() {
            let data = snap.data.as_ref().expect("a restored snapshot carries data");
            self.stats.snapshots_installed += 1;
            let m = &mut self.members[idx];
            m.store = data.store.clone();
            m.leases = data.leases.clone();
            m.revoking.clear();
            m.backend_index = snap.index;
            m.backend_voters = snap.voters.clone();
            m.backend_learners = snap.learners.clone();
        }
        // Whatever is not on disk yet gets written; replies wait for the write (Raft Fig. 2).
        let member = &mut self.members[idx];
        let mut started_now = false;
        if !member.disk_busy && member.node.needs_disk_write() {
            member.disk_busy = true;
            member.disk_writes += 1;
            started_now = true;
            let event = Event::DiskWritten {
                member: id,
                generation: member.generation,
                write: member.node.disk_write(),
                number: member.disk_writes,
            };
            let at = self.now_us + member.disk_latency_us;
            self.queue.push(at, event);
        }
        let member = &mut self.members[idx];
        // Messages written now are covered by a write begun now, else by the next one.
        let batch = if started_now { member.disk_writes } else { member.disk_writes + 1 };
        let disk_clear = !member.disk_busy;
        let leader = member.node.role == Role::Leader;
        let vote_early = member.node.is_mutant(Mutant::VoteReplyBeforePersist);
        // Swap the outbox with a spare buffer so neither is reallocated on every step.
        let mut msgs = std::mem::take(&mut self.outbox_spare);
        std::mem::swap(&mut msgs, &mut member.node.msgs);
        if disk_clear && !member.held.is_empty() {
            let earlier: Vec<(u32, Message)> = std::mem::take(&mut member.held);
            for (_, m) in earlier {
                let to = Endpoint::Member(m.to);
                self.send(Endpoint::Member(id), to, Payload::Raft(m));
            }
        }
        for mut m in msgs.drain(..) {
            if m.kind == crate::etcd::message::MsgKind::Snap {
                // The snapshot leaves with the backend as it is now (etcd merges the current
                // database into the message), at the applied index.
                let member = &self.members[idx];
                let n = &member.node;
                let at = n.log.applied;
                let snap = Snapshot {
                    index: at,
                    term: n.log.term(at).expect("applied entries are in the log"),
                    voters: n.voters().to_vec(),
                    learners: n.learners().to_vec(),
                    data: Some(Rc::new(SnapshotData { store: member.store.clone(), leases: member.leases.clone() })),
                };
                m.index = snap.index;
                m.log_term = snap.term;
                m.snapshot = Some(Rc::new(snap));
            }
            let early = vote_early && m.kind == crate::etcd::message::MsgKind::VoteResp && !m.reject;
            if disk_clear || leader || early {
                let to = Endpoint::Member(m.to);
                self.send(Endpoint::Member(id), to, Payload::Raft(m));
            } else {
                self.members[idx].held.push((batch, m));
            }
        }
        self.outbox_spare = msgs;
        let applied = self.members[idx].node.take_to_apply();
        let mut removals = Vec::new();
        let mut conf_applied = false;
        for e in applied {
            let now_us = self.now_us;
            let mut txn_answer = None;
            let conf = match e.data {
                EntryData::ConfChange { kind, member } => Some((kind, member)),
                _ => None,
            };
            let member = &mut self.members[idx];
            let store = &mut member.store;
            let mut answer: Option<Result<String, String>> = match e.data {
                EntryData::Empty => None,
                EntryData::Put { key, value, lease } => {
                    if lease != 0 && !member.leases.contains_key(&lease) {
                        Some(Err("etcdserver: requested lease not found".to_string()))
                    } else {
                        store.put(key, value, lease);
                        Some(Ok("OK".to_string()))
                    }
                }
                EntryData::LeaseGrant { id, ttl_s } => {
                    member.leases.insert(id, Lease { ttl_s, expiry_us: now_us + ttl_s * US_PER_S });
                    Some(Ok(format!("lease {id:016x} granted with TTL({ttl_s}s)")))
                }
                EntryData::LeaseRevoke { id } => {
                    member.revoking.retain(|&r| r != id);
                    if member.leases.remove(&id).is_some() {
                        // Every attached key goes, one DELETE event each, in one revision.
                        let ops: Vec<TxnOp> =
                            store.keys_with_lease(id).into_iter().map(|k| TxnOp::Delete(KeyRange::Key(k))).collect();
                        // Distinct keys (one lease per key), so etcd's duplicate-key check passes.
                        let revoked = store.txn(&[], &ops, &[]);
                        debug_assert!(revoked.is_ok());
                        Some(Ok(format!("lease {id:016x} revoked")))
                    } else {
                        Some(Err("etcdserver: requested lease not found".to_string()))
                    }
                }
                EntryData::LeaseKeepAlive { id } => match member.leases.get_mut(&id) {
                    Some(l) => {
                        l.expiry_us = now_us + l.ttl_s * US_PER_S;
                        Some(Ok(format!("lease {id:016x} keepalived with TTL({})", l.ttl_s)))
                    }
                    None => Some(Ok(format!("lease {id:016x} expired or revoked."))),
                },
                EntryData::Delete { range } => Some(Ok(store.delete(&range).len().to_string())),
                EntryData::Compact { revision } => Some(
                    store
                        .compact(revision)
                        .map(|()| format!("compacted revision {revision}"))
                        .map_err(|e| e.message().to_string()),
                ),
                EntryData::Txn(t) => {
                    let r = store.txn(&t.compares, &t.success, &t.failure);
                    txn_answer = r.as_ref().ok().map(crate::apiserver::handler::EtcdAnswer::of_txn);
                    Some(client::format_txn(r))
                }
                EntryData::ConfChange { .. } => None,
            };
            if let Some((kind, target)) = conf {
                conf_applied = true;
                answer = Some(self.apply_membership(id, kind, target, e.origin));
                if kind == ConfChangeKind::Remove {
                    removals.push(target);
                }
            }
            // The member that accepted the request answers its client once it has applied it.
            if let (Some(origin), Some(answer)) = (e.origin.filter(|o| o.member == id), answer) {
                if self.requests.get(&origin.request).is_some_and(|r| !r.done && r.via == id) {
                    if self.api_owns(origin.request) {
                        let answer = Rc::new(txn_answer.ok_or_else(|| answer.err().unwrap_or_default()));
                        let reply = Payload::ApiReply { request: origin.request, answer };
                        self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
                        continue;
                    }
                    let (line, error) = match answer {
                        Ok(l) => (l, false),
                        Err(l) => (l, true),
                    };
                    let lines = line.split('\n').map(String::from).collect();
                    let reply = Payload::ClientReply { request: origin.request, lines, error };
                    self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
                }
            }
        }
        // A removed member shuts itself down once it learns of its removal (etcd does); the
        // others stop talking to it. The lab takes it down as soon as the removal applies.
        for target in removals {
            let t = &mut self.members[(target - 1) as usize];
            t.removed = true;
            if target == id && t.up {
                self.take_down(target);
            } else if t.up {
                let shutdown = Event::Shutdown { member: target, generation: t.generation };
                self.queue.push(self.now_us + REMOVED_SHUTDOWN_US, shutdown);
            }
        }
        if !self.members[idx].up {
            return;
        }
        let m = &mut self.members[idx];
        m.backend_index = m.node.log.applied;
        if conf_applied {
            m.backend_voters = m.node.voters().to_vec();
            m.backend_learners = m.node.learners().to_vec();
        }
        // Linearizable reads: serve each once this member has applied up to its read index.
        let m = &mut self.members[idx];
        if !m.node.read_states.is_empty() {
            let confirmed = std::mem::take(&mut m.node.read_states);
            m.reads.extend(confirmed);
        }
        if !m.reads.is_empty() {
            let applied_index = m.node.log.applied;
            let (ready, waiting): (Vec<ReadState>, Vec<ReadState>) =
                m.reads.drain(..).partition(|r| r.index <= applied_index);
            m.reads = waiting;
            for r in ready {
                self.serve_read(id, r.ctx.request);
            }
        }
        // `move-leader` answers once this member follows the transferee (etcd `MoveLeader`
        // waits for `s.Lead() == transferee`).
        if !self.members[idx].move_leader_waiting.is_empty() {
            let lead = self.members[idx].node.leader;
            let (done, waiting): (Vec<_>, Vec<_>) =
                self.members[idx].move_leader_waiting.drain(..).partition(|&(_, t)| lead == Some(t) && t != id);
            self.members[idx].move_leader_waiting = waiting;
            for (request, target) in done {
                let line = format!(
                    "Leadership transferred from {:x} to {:x}",
                    client::member_id(id),
                    client::member_id(target)
                );
                let reply = Payload::ClientReply { request, lines: vec![line], error: false };
                self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
            }
        }
    }

    /// Answers a request at once with an error.
    fn refuse(&mut self, id: MemberId, request: u64, error: &str) {
        let reply = Payload::ClientReply { request, lines: vec![error.to_string()], error: true };
        self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
    }

    /// etcd's checks before proposing a membership change (`server.go` `mayAddMember`,
    /// `mayPromoteMember`, `mayRemoveMember` with `--strict-reconfig-check`, on by default):
    /// never leave the voters without a quorum of started, connected members.
    fn may_change_membership(&self, id: MemberId, kind: ConfChangeKind, target: MemberId) -> Result<(), &'static str> {
        use crate::sim::network::Endpoint::Member as M;
        let node = &self.members[(id - 1) as usize].node;
        let voters = node.voters();
        let learner = node.learners().contains(&target);
        // Connected: up, and reachable both ways from the member deciding.
        let connected = |m: MemberId| {
            m == id || {
                let x = &self.members[(m - 1) as usize];
                x.up && self.net.connected(M(id), M(m)) && self.net.connected(M(m), M(id))
            }
        };
        let active = voters.iter().filter(|&&v| connected(v)).count();
        match kind {
            ConfChangeKind::AddLearner if !node.learners().is_empty() => {
                Err("etcdserver: too many learner members in cluster")
            }
            ConfChangeKind::AddVoter | ConfChangeKind::AddLearner => {
                let started = voters.iter().filter(|&&v| !self.members[(v - 1) as usize].removed).count();
                if kind == ConfChangeKind::AddVoter && started < crate::etcd::raft::majority(voters.len() + 1) {
                    Err("etcdserver: re-configuration failed due to not enough started members")
                } else if active < voters.len() {
                    Err("etcdserver: unhealthy cluster")
                } else {
                    Ok(())
                }
            }
            ConfChangeKind::Promote if !learner => Err("etcdserver: can only promote a learner member"),
            ConfChangeKind::Promote => {
                // The leader knows how far the learner got: in sync means ≥ 90 % of its log.
                let leader = self.leader().map(|l| &self.members[(l - 1) as usize].node);
                let ready = leader.is_some_and(|l| {
                    l.progress().get(&target).is_some_and(|p| p.matched * 10 >= l.log.last_index() * 9)
                });
                if ready {
                    Ok(())
                } else {
                    Err("etcdserver: can only promote a learner member which is in sync with leader")
                }
            }
            ConfChangeKind::Remove if learner => Ok(()),
            ConfChangeKind::Remove => {
                // A member already down is safe to remove; otherwise the rest must keep a quorum.
                let target_down = target != id && !connected(target);
                let remaining = active.saturating_sub(1);
                if target_down || remaining >= crate::etcd::raft::majority(voters.len().saturating_sub(1)) {
                    Ok(())
                } else {
                    Err("etcdserver: unhealthy cluster")
                }
            }
        }
    }

    /// Member `id` applied a membership change. The first member to apply an addition starts
    /// the new member (an operator would start etcd with the `ETCD_*` lines `member add`
    /// printed); the answer is what etcdctl prints.
    fn apply_membership(
        &mut self,
        id: MemberId,
        kind: ConfChangeKind,
        target: MemberId,
        origin: Option<Origin>,
    ) -> Result<String, String> {
        self.members[(id - 1) as usize].node.apply_conf_change(kind, target);
        let cluster = client::cluster_id();
        let target_id = client::member_id(target);
        let request = origin.and_then(|o| self.requests.get(&o.request));
        match kind {
            ConfChangeKind::AddVoter | ConfChangeKind::AddLearner => {
                let (name, peer_url) = match request.map(|r| &r.op) {
                    Some(ClientOp::MemberAdd { name, peer_url, .. }) => (name.clone(), peer_url.clone()),
                    _ => (names::node_name(target), format!("https://{}:2380", client::node_ip(target))),
                };
                if (target as usize) > self.members.len() {
                    debug_assert_eq!(target as usize, self.members.len() + 1, "member numbers are dense");
                    let from = &self.members[(id - 1) as usize].node;
                    let (voters, learners, config) = (from.voters().to_vec(), from.learners().to_vec(), from.config);
                    let mut node = RaftNode::new(target, voters.clone(), config, &mut self.rng);
                    node.set_membership(voters, learners);
                    let mut m = Member::new(node);
                    if let Some(g) = &self.genesis {
                        m.store = (**g).clone();
                    }
                    m.etcd_name = name.clone();
                    m.peer_url = peer_url.clone();
                    self.members.push(m);
                    let phase_us = self.rng.below(TICK_US);
                    self.queue.push(self.now_us + phase_us, Event::Tick { member: target, generation: 0 });
                }
                let node = &self.members[(id - 1) as usize].node;
                let mut initial: Vec<String> = Vec::new();
                for &m in node.voters().iter().chain(node.learners()) {
                    let mm = self.members.get((m - 1) as usize);
                    let n =
                        if m == target { name.clone() } else { mm.map_or_else(String::new, |x| x.etcd_name.clone()) };
                    let u = if m == target {
                        peer_url.clone()
                    } else {
                        mm.map_or_else(String::new, |x| x.peer_url.clone())
                    };
                    initial.push(format!("{n}={u}"));
                }
                let as_learner = if kind == ConfChangeKind::AddLearner { " as learner " } else { " " };
                Ok(format!(
                    "Member {target_id:16x} added{as_learner}to cluster {cluster:16x}\n\nETCD_NAME={name:?}\nETCD_INITIAL_CLUSTER={:?}\nETCD_INITIAL_ADVERTISE_PEER_URLS={peer_url:?}\nETCD_INITIAL_CLUSTER_STATE=\"existing\"",
                    initial.join(",")
                ))
            }
            ConfChangeKind::Promote => Ok(format!("Member {target_id:16x} promoted in cluster {cluster:16x}")),
            ConfChangeKind::Remove => Ok(format!("Member {target_id:16x} removed from cluster {cluster:16x}")),
        }
    }

    /// Takes a snapshot once `snapshot_count` entries were applied since the last one (etcd
    /// `triggerSnapshot`), and compacts the log behind it.
    fn maybe_snapshot(&mut self, id: MemberId) {
        let count = self.snapshot_count;
        let m = &mut self.members[(id - 1) as usize];
        let n = &m.node;
        let last = n.snapshot.as_ref().map_or(0, |s| s.index);
        let at = n.log.applied;
        // Only what is on disk: a snapshot never runs ahead of the WAL.
        if at < last + count || at > n.log.stable {
            return;
        }
        let Some(term) = n.log.term(at) else { return };
        let snap =
            Snapshot { index: at, term, voters: n.voters().to_vec(), learners: n.learners().to_vec(), data: None };
        m.node.take_snapshot(snap, count / SNAPSHOT_CATCH_UP_DIVISOR);
    }

    /// A member goes down: what was not on disk is lost.
    fn take_down(&mut self, id: MemberId) {
        let member = &mut self.members[(id - 1) as usize];
        member.up = false;
        member.lose_volatile(&mut self.rng);
    }

    /// The leader's lessor: on becoming leader it extends every lease by its full TTL (etcd
    /// op-guide/failures.md: "a new leader extends all lease TTLs"); afterwards it revokes each
    /// lease that expires, through Raft, so every member deletes the lease's keys.
    fn expire_leases(&mut self, id: MemberId) {
        let now_us = self.now_us;
        let m = &mut self.members[(id - 1) as usize];
        if m.node.role != Role::Leader {
            return;
        }
        if m.promoted_term != m.node.term {
            m.promoted_term = m.node.term;
            for l in m.leases.values_mut() {
                l.expiry_us = now_us + l.ttl_s * US_PER_S;
            }
        }
        let expired: Vec<u64> = m
            .leases
            .iter()
            .filter(|(lid, l)| l.expiry_us <= now_us && !m.revoking.contains(lid))
            .map(|(&lid, _)| lid)
            .collect();
        for lid in expired {
            m.revoking.push(lid);
            m.node.propose_internal(EntryData::LeaseRevoke { id: lid });
        }
    }

    /// Answers a read from member `id`'s own store (now: after ReadIndex for a linearizable
    /// read; at once for a serializable one, which may be stale).
    fn serve_read(&mut self, id: MemberId, request: u64) {
        let Some(req) = self.requests.get(&request).filter(|r| !r.done && r.via == id) else {
            return;
        };
        let member = &self.members[(id - 1) as usize];
        if let ClientOp::EndpointHealth { .. } = req.op {
            let reply = Payload::ClientReply { request, lines: Vec::new(), error: false };
            self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
            return;
        }
        if let ClientOp::LeaseTimeToLive { id: lease, keys } = req.op {
            // etcd answers TimeToLive from the leader's lessor (followers forward it); once the
            // ReadIndex round has confirmed the leader, the lab reads that lessor directly.
            let lessor = &self.members[(self.leader().unwrap_or(id) - 1) as usize];
            let lines =
                vec![client::format_time_to_live(lease, lessor.leases.get(&lease), self.now_us, keys, &member.store)];
            self.send(
                Endpoint::Member(id),
                Endpoint::Client(id),
                Payload::ClientReply { request, lines, error: false },
            );
            return;
        }
        let ClientOp::Get(q) = &req.op else { return };
        if self.api_owns(request) {
            let answer = match member.store.range(&q.range, q.rev, q.limit) {
                Ok((kvs, _)) => Ok(crate::apiserver::handler::EtcdAnswer {
                    revision: member.store.revision(),
                    succeeded: true,
                    kvs,
                }),
                Err(e) => Err(e.message().to_string()),
            };
            let reply = Payload::ApiReply { request, answer: Rc::new(answer) };
            self.send(Endpoint::Member(id), Endpoint::Client(id), reply);
            return;
        }
        let header = Header {
            cluster_id: client::cluster_id(),
            member_id: client::member_id(id),
            revision: member.store.revision(),
            raft_term: member.node.term,
        };
        let observed = match &q.range {
            KeyRange::Key(k) if q.rev == 0 => member.store.get(k, 0).ok().map(|kv| kv.map(|kv| kv.value)),
            _ => None,
        };
        let (lines, error) = match client::format_get(&member.store, q, header) {
            Ok(lines) => (lines, false),
            Err(e) => (vec![e], true),
        };
        if let Some(r) = self.requests.get_mut(&request) {
            r.observed = observed;
        }
        self.send(Endpoint::Member(id), Endpoint::Client(id), Payload::ClientReply { request, lines, error });
    }

    fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        self.stats.messages_sent += 1;
        let Some(delay_us) = self.net.draw_delay_us(&mut self.rng) else {
            self.stats.messages_dropped += 1;
            return;
        };
        let slot = link_slot(from) * LINK_SLOTS + link_slot(to);
        let raft = matches!(payload, Payload::Raft(_));
        // Raft must survive a network that reorders and duplicates (Raft §5.1); etcd's TCP
        // streams rarely do, so these are faults a lesson or `lab check` switches on.
        let reorder = raft && self.net.reorder_ppm > 0 && self.rng.chance_ppm(self.net.reorder_ppm);
        let at = if reorder {
            self.now_us + delay_us + self.rng.below(crate::sim::network::REORDER_US_MAX)
        } else {
            let at = (self.now_us + delay_us).max(self.link_free_us[slot]);
            self.link_free_us[slot] = at;
            at
        };
        // A forwarded proposal is never duplicated: it would append the client's write twice
        // (etcd forwards proposals over a TCP stream, which does not duplicate).
        let duplicate = matches!(&payload, Payload::Raft(m) if m.kind != crate::etcd::message::MsgKind::Prop)
            && self.net.duplicate_ppm > 0
            && self.rng.chance_ppm(self.net.duplicate_ppm);
        if duplicate {
            let again = self.now_us + delay_us + self.rng.below(crate::sim::network::REORDER_US_MAX);
            let copy = Event::Deliver { from, to, sent_us: self.now_us, payload: payload.clone() };
            if self.queue.push(again, copy) {
                self.stats.messages_duplicated += 1;
            }
        }
        if !self.queue.push(at, Event::Deliver { from, to, sent_us: self.now_us, payload }) {
            self.stats.messages_dropped += 1;
        }
    }

    // ---- commands -----------------------------------------------------------------------

    /// Applies one command line now and returns its id. Commands that wait (a write, `sleep`)
    /// finish later; see [`CommandRecord::done_at_us`] and [`World::run_until_done`].
    pub fn submit(&mut self, line: &str) -> u32 {
        // Settle everything due now first, so a replay (run_until(at) then submit) and a live
        // session agree on the order of events at the same instant.
        self.run_until(self.now_us);
        let id = self.commands.len() as u32;
        // Keep at most LINE_BYTES_MAX bytes, cut on a character boundary.
        let mut cut = line.len().min(shell::LINE_BYTES_MAX);
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        let line_kept = line[..cut].to_string();
        self.commands.push(CommandRecord {
            id,
            at_us: self.now_us,
            line: line_kept.clone(),
            done_at_us: None,
            failed: false,
        });
        self.push_line(id, LineKind::Input, Text::same(shell::printable_line(&line_kept)));
        match shell::parse(line) {
            Err(e) => {
                self.say(id, LineKind::Stderr, e);
                self.finish(id, true);
            }
            Ok(cmd) => {
                if let Err(e) = self.apply(id, cmd) {
                    self.say(id, LineKind::Stderr, e);
                    self.finish(id, true);
                }
            }
        }
        // A new stream replays `--rev` history at once; a crash is noticed at once.
        self.pump_watches();
        id
    }

    fn apply(&mut self, id: u32, cmd: Command) -> Result<(), Text> {
        match cmd {
            Command::Nothing => self.finish(id, false),
            Command::Help => {
                self.say(id, LineKind::Stdout, Text::new(shell::HELP_KO, shell::HELP_EN));
                self.finish(id, false);
            }
            Command::Crash(r) => {
                let m = self.resolve(&r)?;
                let (ko, en) = if self.members[(m - 1) as usize].up {
                    self.take_down(m);
                    (
                        "중지됨 (휘발성 상태와 디스크에 쓰지 못한 것 손실)",
                        "crashed (volatile state and unsynced writes lost)",
                    )
                } else {
                    ("이미 중지되어 있습니다", "is already down")
                };
                self.say_member(id, m, ko, en);
                self.finish(id, false);
            }
            Command::Restart(r) => {
                let m = self.resolve(&r)?;
                let idx = (m - 1) as usize;
                let (ko, en) = if self.members[idx].removed {
                    return Err(Text::new(
                        format!("lab: {}은(는) 클러스터에서 제거되었습니다 (etcd: the member has been permanently removed from the cluster)", names::member_short(m)),
                        format!("lab: {} was removed from the cluster (etcd: the member has been permanently removed from the cluster)", names::member_short(m)),
                    ));
                } else if self.members[idx].up {
                    ("이미 실행 중입니다", "is already running")
                } else {
                    let member = &mut self.members[idx];
                    member.lose_volatile(&mut self.rng);
                    member.up = true;
                    // The backend (store and leases) kept what it had applied; the log replays
                    // what follows (etcd: WAL entries after the backend's consistent index).
                    let backend_index = member.backend_index;
                    member.node.resume_applied_at(backend_index);
                    member.node.set_membership(member.backend_voters.clone(), member.backend_learners.clone());
                    member.promoted_term = 0;
                    let generation = member.generation;
                    let phase_us = self.rng.below(TICK_US);
                    self.queue.push(self.now_us + phase_us, Event::Tick { member: m, generation });
                    (
                        "디스크(텀, 투표, 로그, 백엔드 DB)에서 다시 시작",
                        "restarted from disk (term, vote, log, backend db)",
                    )
                };
                self.say_member(id, m, ko, en);
                self.finish(id, false);
            }
            Command::Partition(sides) => {
                let groups = self.resolve_sides(&sides)?;
                let client_in = sides.iter().position(|s| s.client);
                self.net.partition(&groups, client_in);
                let desc = self.describe_network();
                self.say(id, LineKind::Stdout, desc);
                self.finish(id, false);
            }
            Command::Isolate(r) => {
                let m = self.resolve(&r)?;
                self.net.partition(&[vec![m]], None);
                let desc = self.describe_network();
                self.say(id, LineKind::Stdout, desc);
                self.finish(id, false);
            }
            Command::Cut(a, b) => {
                let (a, b) = (self.resolve(&a)?, self.resolve(&b)?);
                if a == b {
                    return Err(Text::new(
                        "lab cut: 서로 다른 두 멤버가 필요합니다",
                        "lab cut: needs two different members",
                    ));
                }
                self.net.cut_one_way(a, b);
                let desc = self.describe_network();
                self.say(id, LineKind::Stdout, desc);
                self.finish(id, false);
            }
            Command::Heal => {
                self.net.heal();
                let desc = self.describe_network();
                self.say(id, LineKind::Stdout, desc);
                self.finish(id, false);
            }
            Command::Loss { ppm } => {
                self.net.loss_ppm = ppm;
                let percent = ppm / 10_000;
                self.say(
                    id,
                    LineKind::Stdout,
                    Text::new(format!("메시지 유실률 {percent}%"), format!("message loss {percent}%")),
                );
                self.finish(id, false);
            }
            Command::Duplicate { ppm } => {
                self.net.duplicate_ppm = ppm;
                let percent = ppm / 10_000;
                self.say(
                    id,
                    LineKind::Stdout,
                    Text::new(
                        format!("멤버 사이 Raft 메시지 중복률 {percent}%"),
                        format!("Raft messages between members duplicated: {percent}%"),
                    ),
                );
                self.finish(id, false);
            }
            Command::Reorder { ppm } => {
                self.net.reorder_ppm = ppm;
                let percent = ppm / 10_000;
                self.say(
                    id,
                    LineKind::Stdout,
                    Text::new(
                        format!("멤버 사이 Raft 메시지 순서 뒤바뀜 {percent}% (최대 200ms 지연)"),
                        format!("Raft messages between members reordered: {percent}% (held back up to 200ms)"),
                    ),
                );
                self.finish(id, false);
            }
            Command::Put { key, value, via } => {
                let op = ClientOp::Put { key: key.into(), value: value.into(), lease: 0 };
                self.start_request(id, via, op)?;
            }
            Command::Etcd { endpoint, mut op } => {
                if let ClientOp::Get(q) = &op {
                    if q.format != client::GetFormat::KeysOnly && self.office.is_some() && range_in_registry(&q.range) {
                        self.say_decoded_note(id);
                    }
                }
                let membership = matches!(
                    op,
                    ClientOp::MemberAdd { .. } | ClientOp::MemberPromote { .. } | ClientOp::MemberRemove { .. }
                );
                if membership {
                    if self.membership_request.is_some_and(|r| self.requests.get(&r).is_some_and(|r| !r.done)) {
                        return Err(Text::new(
                            "lab: 다른 멤버 변경이 아직 진행 중입니다 (etcd는 한 번에 하나씩 바꿉니다)",
                            "lab: another membership change is still in progress (etcd makes one at a time)",
                        ));
                    }
                    if let ClientOp::MemberAdd { member, .. } = &mut op {
                        if self.members.len() >= MEMBERS_MAX as usize {
                            return Err(Text::new(
                                format!("lab: 이 랩의 etcd 멤버는 최대 {MEMBERS_MAX}개입니다 (제거된 멤버 번호는 다시 쓰지 않음)"),
                                format!("lab: the lab runs at most {MEMBERS_MAX} etcd members (removed members' numbers are not reused)"),
                            ));
                        }
                        *member = self.members.len() as MemberId + 1;
                    }
                    self.membership_request = Some(self.next_request);
                }
                self.start_request(id, endpoint, op)?
            }
            Command::EtcdWatch { endpoint, range, rev, prev_kv } => {
                if self.office.is_some() && range_in_registry(&range) {
                    self.say_decoded_note(id);
                }
                let m = match endpoint {
                    Some(r) => self.resolve(&r)?,
                    None => 1,
                };
                let life = self.members[(m - 1) as usize].life();
                self.watches.start(&mut self.watch_log, id, m, life, range, rev, prev_kv)?;
                // The prompt returns at once; the stream prints in the background. A start
                // below the member's compaction ends it right here, as a failed command.
                self.pump_watches();
                let canceled = !self.watches.streams().iter().any(|s| s.cmd == id);
                self.finish(id, canceled);
            }
            Command::Interrupt => {
                let newest_etcd = self.watches.streams().last().map(|s| s.cmd);
                let newest_api = self.office.as_ref().and_then(|o| o.watches.last()).map(|w| w.cmd);
                let newer = newest_etcd.max(newest_api);
                let stopped = self
                    .interrupt_kubectl_steps(newer)
                    .or_else(|| self.interrupt_log_follow(newer))
                    .or_else(|| self.interrupt_api_watch(newest_etcd));
                if let Some(cmd) = stopped {
                    // A command still running (`rollout status`, `drain`) ends with the stream.
                    self.finish(cmd, true);
                    let what = shell::printable_line(&self.commands[cmd as usize].line);
                    let said = Text::new(
                        format!("lab: 스트림을 멈췄습니다: {what}"),
                        format!("lab: stopped the stream: {what}"),
                    );
                    self.say(id, LineKind::Stderr, said);
                    self.finish(id, false);
                    return Ok(());
                }
                let commands = &self.commands;
                let said = self
                    .watches
                    .interrupt(&mut self.watch_log, |cmd| shell::printable_line(&commands[cmd as usize].line));
                self.say(id, LineKind::Stderr, said);
                self.finish(id, false);
            }
            Command::EtcdEndpoints { status, endpoints, cluster, table } => {
                let targets: Vec<(MemberId, String)> = if cluster {
                    // `--cluster` asks for the member list: removed members are not in it.
                    (1..=self.member_count())
                        .filter(|&m| !self.members[(m - 1) as usize].removed)
                        .map(|m| (m, format!("https://{}:2379", client::node_ip(m))))
                        .collect()
                } else {
                    let mut t = Vec::new();
                    for (r, raw) in endpoints {
                        let m = match r {
                            Some(r) => self.resolve(&r)?,
                            None => 1,
                        };
                        t.push((m, raw));
                    }
                    t
                };
                for (m, endpoint) in targets {
                    let op = if status {
                        ClientOp::EndpointStatus { endpoint, table }
                    } else {
                        ClientOp::EndpointHealth { endpoint }
                    };
                    self.start_request(id, Some(MemberRef::Named(names::member_short(m))), op)?;
                }
            }
            Command::Set { option, on } => {
                for m in &mut self.members {
                    match option {
                        RaftOption::PreVote => m.node.config.pre_vote = on,
                        RaftOption::CheckQuorum => m.node.config.check_quorum = on,
                    }
                }
                let name = match option {
                    RaftOption::PreVote => "prevote",
                    RaftOption::CheckQuorum => "checkquorum",
                };
                let (ko, en) = if on {
                    ("켜짐 (etcd 3.5 기본값)", "on (etcd 3.5 default)")
                } else {
                    ("꺼짐 — etcd 3.5와 다름", "off — unlike etcd 3.5")
                };
                self.say(id, LineKind::Stdout, Text::new(format!("{name}: {ko}"), format!("{name}: {en}")));
                self.finish(id, false);
            }
            Command::Status => {
                let t = self.status_table();
                self.say(id, LineKind::Stdout, t);
                self.finish(id, false);
            }
            Command::Sleep { duration_us } => {
                self.queue.push(self.now_us + duration_us, Event::Wake { cmd: id });
            }
            Command::Disk { member, latency_us } => {
                let m = self.resolve(&member)?;
                self.members[(m - 1) as usize].disk_latency_us = latency_us;
                let ms = client::go_duration_us(latency_us);
                let (ko, en) = if latency_us == DISK_LATENCY_US_DEFAULT {
                    (format!("디스크 정상 (fsync {ms})"), format!("disk normal (fsync {ms})"))
                } else {
                    (format!("느린 디스크: fsync {ms}"), format!("slow disk: fsync takes {ms}"))
                };
                self.say_member(id, m, &ko, &en);
                self.finish(id, false);
            }
            Command::KubectlConfig(c) => {
                use crate::k8s::kubeconfig::{format_get_contexts, format_view_minify, CONTEXTS};
                use crate::shell::kubectl::ConfigCmd;
                let out = match c {
                    ConfigCmd::CurrentContext => CONTEXTS[self.kube_context].name.to_string(),
                    ConfigCmd::GetContexts => format_get_contexts(self.kube_context),
                    ConfigCmd::ViewMinify => format_view_minify(self.kube_context),
                    ConfigCmd::UseContext(name) => match CONTEXTS.iter().position(|c| c.name == name) {
                        Some(i) => {
                            self.kube_context = i;
                            format!("Switched to context \"{name}\".")
                        }
                        None => {
                            return Err(Text::same(format!(
                                "error: no context exists with the name: \"{}\"",
                                shell::printable(&name)
                            )))
                        }
                    },
                };
                self.say(id, LineKind::Stdout, Text::same(out));
                self.finish(id, false);
            }
            Command::CreateToken(t) => {
                use crate::k8s::kubeconfig::{service_account_exists, CONTEXTS, SA_KEY};
                use crate::k8s::rbac::{self, Attributes};
                let ctx = &CONTEXTS[self.kube_context];
                let ns = t.namespace.clone().unwrap_or_else(|| ctx.namespace_or_default().to_string());
                // A TokenRequest is `create` on the `serviceaccounts/token` subresource.
                let a = Attributes::resource(&ctx.user_info(), "create", "", "serviceaccounts")
                    .in_namespace(&ns)
                    .named(&t.service_account)
                    .subresource("token");
                if !rbac::authorize(&self.rbac_policy(), &a).allowed {
                    return Err(Text::same(rbac::kubectl_forbidden(&a, "")));
                }
                let exists = match self.office_cache() {
                    Some(cache) => {
                        crate::apiserver::Informers::get(cache, "serviceaccounts", &ns, &t.service_account).is_some()
                    }
                    None => service_account_exists(&ns, &t.service_account),
                };
                if !exists {
                    return Err(Text::same(format!(
                        "error: failed to create token: serviceaccounts \"{}\" not found",
                        shell::printable(&t.service_account)
                    )));
                }
                let exp_s = self.now_us / US_PER_S + t.duration_s;
                let token = crate::k8s::authn::mint_service_account_token(SA_KEY, &ns, &t.service_account, exp_s);
                self.say(id, LineKind::Stdout, Text::same(token));
                self.finish(id, false);
            }
            Command::Kube(k) => self.submit_kube(id, *k)?,
            Command::KubectlSteps(s) => self.start_kubectl_steps(id, *s)?,
            Command::Piped(inner, filters) => {
                self.filters.insert(id, filters);
                self.apply(id, *inner)?;
            }
            Command::Exec(e) => self.exec(id, *e)?,
            Command::Logs(l) => self.logs_command(id, &l)?,
            Command::Proxy { port } => self.start_proxy(id, port)?,
            Command::OidcToken { email, groups } => {
                let now_s = self.now_us / US_PER_S;
                let token = crate::k8s::kubeconfig::mint_oidc_id_token(&email, &groups, now_s);
                let issuer = crate::k8s::kubeconfig::OIDC_ISSUER;
                self.say(
                    id,
                    LineKind::Stderr,
                    Text::new(
                        format!("lab: {issuer}의 id_token (1시간 유효; 사용자 = email 클레임, 그룹 = groups 클레임):"),
                        format!("lab: an id_token from {issuer} (valid 1h; user = the email claim, groups = the groups claim):"),
                    ),
                );
                self.say(id, LineKind::Stdout, Text::same(token));
                self.finish(id, false);
            }
            Command::Teller { node, action } => self.teller_command(id, &node, action)?,
            Command::Node { action, node } => self.node_command(id, action, &node)?,
            Command::Component { scheduler, crash, node } => self.component_command(id, scheduler, crash, &node)?,
            Command::Rogue(spec) => self.rogue_command(id, spec)?,
            Command::WebhookAdd(spec) => self.webhook_command(id, Some(&spec), None)?,
            Command::WebhookRemove(name) => self.webhook_command(id, None, Some(&name))?,
            Command::CanI(c) => {
                let (lines, allowed) = self.can_i(&c)?;
                for (kind, line) in lines {
                    self.say(id, kind, Text::same(line));
                }
                // kubectl exits 1 on "no".
                self.finish(id, !allowed);
            }
            Command::SnapshotCount(n) => {
                self.snapshot_count = n;
                self.say(
                    id,
                    LineKind::Stdout,
                    Text::new(
                        format!("snapshot-count: {n} (적용한 엔트리 {n}개마다 스냅샷; etcd 3.5 기본값 100000)"),
                        format!("snapshot-count: {n} (a snapshot every {n} applied entries; etcd 3.5 default 100000)"),
                    ),
                );
                self.finish(id, false);
            }
            Command::Stop(r) => {
                let m = self.resolve(&r)?;
                let idx = (m - 1) as usize;
                if !self.members[idx].up {
                    self.say_member(id, m, "이미 중지되어 있습니다", "is already down");
                    self.finish(id, false);
                    return Ok(());
                }
                // etcd's `TransferLeadership` on stop: hand over to the most up-to-date voter.
                let node = &self.members[idx].node;
                let transferee = (node.role == Role::Leader)
                    .then(|| {
                        let mut best: Option<(u64, MemberId)> = None;
                        for (&v, p) in node.progress() {
                            if self.members[(v - 1) as usize].up && best.is_none_or(|(mt, _)| p.matched > mt) {
                                best = Some((p.matched, v));
                            }
                        }
                        best.map(|(_, v)| v)
                    })
                    .flatten();
                match transferee {
                    Some(t) => {
                        self.members[idx].node.transfer_leader(t);
                        self.flush(m);
                        let generation = self.members[idx].generation;
                        let deadline_us = self.now_us + STOP_TRANSFER_US_MAX;
                        let poll = Event::StopPoll { cmd: id, member: m, generation, deadline_us };
                        self.queue.push(self.now_us + STOP_POLL_US, poll);
                    }
                    None => {
                        self.take_down(m);
                        self.say_member(id, m, "정상 종료됨", "stopped gracefully");
                        self.finish(id, false);
                    }
                }
            }
            Command::MoveLeader { endpoints, target } => {
                // etcdctl asks each endpoint for its status and sends the request to the first
                // that leads; an endpoint that is down makes it fail (after its timeout).
                let mut chosen = None;
                let mut raws = Vec::new();
                for (r, raw) in endpoints {
                    let m = match r {
                        Some(r) => self.resolve(&r)?,
                        None => 1,
                    };
                    raws.push(raw);
                    let member = &self.members[(m - 1) as usize];
                    if chosen.is_none() && (!member.up || member.node.role == Role::Leader) {
                        chosen = Some(m);
                    }
                }
                match chosen {
                    Some(m) => {
                        let via = Some(MemberRef::Named(names::member_short(m)));
                        self.start_request(id, via, ClientOp::MoveLeader { target })?;
                    }
                    None => {
                        let line = format!("Error: no leader endpoint given at [{}]", raws.join(" "));
                        self.say(id, LineKind::Stderr, Text::same(line));
                        self.finish(id, true);
                    }
                }
            }
        }
        Ok(())
    }

    /// `kubectl auth can-i` as the current context's user (or `--as`, which the real user must be
    /// allowed to impersonate): a SelfSubjectAccessReview, answered by RBAC (k8s::rbac).
    fn can_i(&self, c: &crate::shell::kubectl::CanI) -> Result<(Vec<(LineKind, String)>, bool), Text> {
        use crate::k8s::kubeconfig::CONTEXTS;
        use crate::k8s::rbac::{self, Attributes, UserInfo};
        let store = self.rbac_policy();
        let ctx = &CONTEXTS[self.kube_context];
        let me = match &c.token {
            // A token replaces the context's credential; the server checks it (401 if bad).
            Some(t) => {
                let cred = crate::k8s::authn::Credential::Bearer(t.clone());
                match crate::k8s::kubeconfig::lab_authenticator().authenticate(&cred, self.now_us / US_PER_S) {
                    Ok(a) => a.user,
                    Err(()) => return Err(Text::same(crate::k8s::authn::UNAUTHORIZED)),
                }
            }
            None => ctx.user_info(),
        };
        let mut out = Vec::new();
        let user = match &c.as_user {
            None => me,
            Some(target) => {
                // The impersonation filter checks `impersonate` on users, then on each group.
                let checks = std::iter::once(("users", target.as_str()))
                    .chain(c.as_groups.iter().map(|g| ("groups", g.as_str())));
                for (res, name) in checks {
                    let a = Attributes::resource(&me, "impersonate", "", res).named(name);
                    if !rbac::authorize(&store, &a).allowed {
                        return Err(Text::same(rbac::kubectl_forbidden(&a, "")));
                    }
                }
                let groups: Vec<&str> = c.as_groups.iter().map(String::as_str).collect();
                match target.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')) {
                    Some((ns, name)) => UserInfo::service_account(ns, name),
                    None => UserInfo::authenticated(target, &groups),
                }
            }
        };
        let namespace = c.namespace.clone().unwrap_or_else(|| ctx.namespace_or_default().to_string());
        if c.list {
            let ns = if c.all_namespaces { String::new() } else { namespace };
            let rows = rbac::can_i_list(&store, &user, &ns);
            out.push((LineKind::Stdout, rbac::format_can_i_list(&rows, c.no_headers)));
            return Ok((out, true));
        }
        let attrs = if c.target.starts_with('/') {
            Attributes::non_resource(&user, &c.verb, &c.target)
        } else {
            let (group, resource, namespaced) = match crate::k8s::resources::resolve(&c.target) {
                Some(r) => (r.group, r.name.to_string(), r.namespaced),
                None => {
                    let warning = format!("Warning: the server doesn't have a resource type '{}'", c.target);
                    out.push((LineKind::Stderr, shell::printable_line(&warning)));
                    ("", c.target.clone(), true)
                }
            };
            let mut a = Attributes::resource(&user, &c.verb, group, &resource);
            if namespaced && !c.all_namespaces {
                a = a.in_namespace(&namespace);
            }
            if let Some(n) = &c.name {
                a = a.named(n);
            }
            if !c.subresource.is_empty() {
                a = a.subresource(&c.subresource);
            }
            a
        };
        // A SelfSubjectAccessReview asks every authorizer: Node, then RBAC.
        let answer = match self.office_cache() {
            Some(cache) => crate::k8s::node_authorizer::can_i(&store, cache, &attrs),
            None => rbac::can_i(&store, &attrs),
        };
        let allowed = answer == "yes";
        out.push((LineKind::Stdout, answer));
        Ok((out, allowed))
    }

    /// Sends a client request through the teller in front of `via` (default etcd-1, the member
    /// the handout's `kubectl exec … etcd-…-control-plane` reaches at 127.0.0.1:2379).
    fn start_request(&mut self, cmd: u32, via: Option<MemberRef>, op: ClientOp) -> Result<(), Text> {
        let via = match via {
            Some(r) => self.resolve(&r)?,
            None => 1,
        };
        self.send_etcd_request(cmd, via, op, CLIENT_TIMEOUT_US);
        Ok(())
    }

    /// Sends `op` to member `via` from the client in front of it; unanswered, it fails after
    /// `timeout_us`. Returns the request's number.
    fn send_etcd_request(&mut self, cmd: u32, via: MemberId, op: ClientOp, timeout_us: u64) -> u64 {
        let request = self.next_request;
        self.next_request += 1;
        let invoked_us = self.now_us;
        self.requests.insert(
            request,
            ClientRequest {
                cmd,
                via,
                done: false,
                op,
                invoked_us,
                answered_us: None,
                failed: false,
                observed: None,
                held: None,
            },
        );
        self.queue.push(self.now_us + timeout_us, Event::RequestTimeout { request });
        self.send(Endpoint::Client(via), Endpoint::Member(via), Payload::ClientRequest { request });
        request
    }

    /// Every single-key client operation so far, in request order, for the linearizability
    /// checker: puts, deletes and linearizable gets. Left out: serializable or historical reads
    /// (not linearizable by design), ranges, requests answered with an error (no effect), keys
    /// that ever carried a lease (a lease expiry deletes them outside the history), and keys a
    /// `txn` may have written: the checker's model knows plain writes and reads, not compares
    /// on revisions, so a txn's effect is outside what it can explain.
    pub fn client_history(&self) -> Vec<HistoryOp> {
        let leased: std::collections::BTreeSet<&str> = self
            .requests
            .values()
            .filter_map(|r| match &r.op {
                ClientOp::Put { key, lease, .. } if *lease != 0 => Some(&**key),
                _ => None,
            })
            .collect();
        let txn_ops: Vec<&TxnOp> = self
            .requests
            .values()
            .filter_map(|r| match &r.op {
                ClientOp::Txn(t) => Some(t.success.iter().chain(&t.failure)),
                _ => None,
            })
            .flatten()
            .collect();
        let txn_wrote = |key: &str| {
            txn_ops.iter().any(|op| match op {
                TxnOp::Put { key: k, .. } => &**k == key,
                TxnOp::Delete(r) => r.contains(key),
                TxnOp::Get(_) => false,
            })
        };
        let mut out = Vec::new();
        for r in self.requests.values() {
            if r.failed {
                continue;
            }
            let (key, kind) = match &r.op {
                ClientOp::Put { key, value, .. } => (key, HistoryKind::Write(value.clone())),
                ClientOp::Delete { range: KeyRange::Key(key) } => (key, HistoryKind::Delete),
                ClientOp::Get(q) if !q.serializable && q.rev == 0 => match (&q.range, &r.observed) {
                    (KeyRange::Key(key), Some(v)) if r.answered_us.is_some() => (key, HistoryKind::Read(v.clone())),
                    _ => continue,
                },
                _ => continue,
            };
            if leased.contains(&**key) || txn_wrote(key) {
                continue;
            }
            out.push(HistoryOp { key: key.clone(), kind, invoked_us: r.invoked_us, answered_us: r.answered_us });
        }
        out
    }

    /// Prints an `endpoint status|health` command once every endpoint has answered (or timed
    /// out), in the order the endpoints were given, as etcdctl does.
    fn finish_endpoints(&mut self, cmd: u32) {
        let parts: Vec<&ClientRequest> = self.requests.values().filter(|r| r.cmd == cmd).collect();
        if parts.iter().any(|r| r.held.is_none()) {
            return;
        }
        let table = parts.iter().any(|r| matches!(r.op, ClientOp::EndpointStatus { table: true, .. }));
        let status = parts.iter().any(|r| matches!(r.op, ClientOp::EndpointStatus { .. }));
        let mut out: Vec<(LineKind, String)> = Vec::new();
        let mut rows = Vec::new();
        let mut any_failed = false;
        for r in &parts {
            let Some((lines, failed)) = &r.held else { continue };
            any_failed |= *failed;
            if *failed {
                out.extend(lines.iter().map(|l| (LineKind::Stderr, l.clone())));
            } else if status {
                rows.push(lines.clone());
            } else {
                out.extend(lines.iter().map(|l| (LineKind::Stdout, l.clone())));
            }
        }
        if status {
            if table {
                let lines = crate::etcd::table::render(&client::ENDPOINT_STATUS_HEADER, &rows);
                out.extend(lines.into_iter().map(|l| (LineKind::Stdout, l)));
            } else {
                out.extend(rows.iter().map(|r| (LineKind::Stdout, r.join(", "))));
            }
        } else if any_failed {
            out.push((LineKind::Stderr, "Error: unhealthy cluster".to_string()));
        }
        for (kind, line) in out {
            self.say(cmd, kind, Text::same(line));
        }
        self.finish(cmd, any_failed);
    }

    /// What a request in flight asks, for the diagram's label.
    pub fn request_label(&self, request: u64) -> &'static str {
        match self.requests.get(&request).map(|r| &r.op) {
            Some(ClientOp::Put { .. }) => "put",
            Some(ClientOp::Delete { .. }) => "del",
            Some(ClientOp::Get(q)) if q.serializable => "get s",
            Some(ClientOp::Get(_)) => "get",
            Some(ClientOp::Compact { .. }) => "compact",
            Some(ClientOp::MemberList { .. }) => "members",
            Some(ClientOp::MoveLeader { .. }) => "move-leader",
            Some(ClientOp::MemberAdd { .. }) => "member add",
            Some(ClientOp::MemberPromote { .. }) => "promote",
            Some(ClientOp::MemberRemove { .. }) => "member rm",
            Some(ClientOp::LeaseGrant { .. }) => "grant",
            Some(ClientOp::LeaseRevoke { .. }) => "revoke",
            Some(ClientOp::LeaseKeepAlive { .. }) => "keepalive",
            Some(ClientOp::LeaseTimeToLive { .. }) => "ttl?",
            Some(ClientOp::EndpointStatus { .. }) => "status",
            Some(ClientOp::EndpointHealth { .. }) => "health",
            Some(ClientOp::Txn(_)) => "txn",
            None => "?",
        }
    }

    fn resolve(&self, r: &MemberRef) -> Result<MemberId, Text> {
        match r {
            MemberRef::Leader => self.leader().ok_or_else(|| {
                Text::new(
                    "lab: 지금은 리더가 없습니다 (선거 중이거나 과반수가 없음)",
                    "lab: there is no leader right now (election in progress or no quorum)",
                )
            }),
            MemberRef::Named(name) => names::parse_member(name, self.member_count()).ok_or_else(|| {
                let n = self.member_count();
                Text::new(
                    format!("lab: 알 수 없는 멤버 \"{}\" (멤버: etcd-1 … etcd-{n})", shell::printable(name)),
                    format!("lab: unknown member \"{}\" (members: etcd-1 … etcd-{n})", shell::printable(name)),
                )
            }),
        }
    }

    fn resolve_sides(&self, sides: &[Side]) -> Result<Vec<Vec<MemberId>>, Text> {
        let mut seen = [false; MEMBERS_MAX as usize];
        let mut groups = Vec::new();
        for side in sides {
            let mut g = Vec::new();
            for r in &side.members {
                let m = self.resolve(r)?;
                if std::mem::replace(&mut seen[(m - 1) as usize], true) {
                    return Err(Text::new(
                        format!("lab partition: {}이(가) 두 번 나옵니다", names::member_short(m)),
                        format!("lab partition: {} appears twice", names::member_short(m)),
                    ));
                }
                g.push(m);
            }
            groups.push(g);
        }
        Ok(groups)
    }

    fn finish(&mut self, cmd: u32, failed: bool) {
        let rec = &mut self.commands[cmd as usize];
        if rec.done_at_us.is_none() {
            rec.done_at_us = Some(self.now_us);
            rec.failed = failed;
        }
    }

    /// Kubernetes objects in etcd are protobuf; the lab stores and shows them as JSON, and says so.
    fn say_decoded_note(&mut self, cmd: u32) {
        self.say(
            cmd,
            LineKind::Stderr,
            Text::new(
                "lab: 값은 JSON으로 풀어서 보여 줍니다 — 실제 etcd에는 k8s\\x00 뒤에 protobuf로 저장됩니다",
                "lab: values shown decoded as JSON — real etcd stores them as protobuf behind k8s\\x00",
            ),
        );
    }

    fn say(&mut self, cmd: u32, kind: LineKind, text: Text) {
        self.push_line(cmd, kind, text);
    }

    fn say_member(&mut self, cmd: u32, m: MemberId, ko: &str, en: &str) {
        let who = format!("{} ({})", names::member_short(m), names::node_name(m));
        self.say(cmd, LineKind::Stdout, Text::new(format!("{who}: {ko}"), format!("{who}: {en}")));
    }

    fn push_line(&mut self, cmd: u32, kind: LineKind, text: Text) {
        if kind == LineKind::Stdout {
            if let Some(filters) = self.filters.get_mut(&cmd) {
                // Tool output is the same in both languages; a pipe sees the English text. Each
                // filter sees the lines the one before it let through (`grep -A` keeps state).
                let mut keep: Vec<String> = text.en.split('\n').map(str::to_string).collect();
                for g in filters.iter_mut() {
                    keep = keep.iter().flat_map(|l| g.feed(l)).collect();
                }
                if keep.is_empty() {
                    return;
                }
                let joined = keep.join("\n");
                return self.push_line_unfiltered(cmd, kind, Text::same(joined));
            }
        }
        self.push_line_unfiltered(cmd, kind, text)
    }

    fn push_line_unfiltered(&mut self, cmd: u32, kind: LineKind, text: Text) {
        if self.transcript.len() >= TRANSCRIPT_LINES_MAX {
            let drop = TRANSCRIPT_LINES_MAX / 10;
            self.transcript.drain(..drop);
            self.transcript_dropped += drop as u64;
        }
        self.transcript.push(TranscriptLine { at_us: self.now_us, cmd, kind, text });
    }

    /// `partition: {etcd-1 etcd-2} | {etcd-3}` or `network: healthy`.
    pub fn describe_network(&self) -> Text {
        if !self.net.is_partitioned() {
            return Text::new("네트워크: 정상 (분할 없음)", "network: healthy (no partition)");
        }
        let mut groups: BTreeMap<u8, Vec<String>> = BTreeMap::new();
        for m in 1..=self.member_count() {
            groups.entry(self.net.group_of(m)).or_default().push(names::member_short(m));
        }
        let mut parts: Vec<String> = groups
            .iter()
            .map(|(&g, ms)| {
                let client = if self.net.client_group() == Some(g) { " client" } else { "" };
                format!("{{{}{client}}}", ms.join(" "))
            })
            .collect();
        if parts.len() == 1 {
            parts.clear();
        }
        let cuts: Vec<String> = self
            .net
            .one_way_cuts()
            .map(|(a, b)| format!("{}->{}", names::member_short(a), names::member_short(b)))
            .collect();
        let mut desc = parts.join(" | ");
        if !cuts.is_empty() {
            if !desc.is_empty() {
                desc.push_str("; ");
            }
            desc.push_str(&format!("cut {}", cuts.join(", ")));
        }
        Text::new(format!("분할: {desc}"), format!("partition: {desc}"))
    }

    fn status_table(&self) -> Text {
        let header = |lang: Lang| match lang {
            Lang::Ko => ["멤버", "노드", "상태", "역할", "텀", "투표", "리더", "커밋", "적용", "마지막", "스냅샷"],
            Lang::En => {
                ["MEMBER", "NODE", "STATE", "ROLE", "TERM", "VOTE", "LEADER", "COMMIT", "APPLIED", "LAST", "SNAPSHOT"]
            }
        };
        let rows: Vec<[String; 11]> = self
            .members
            .iter()
            .map(|m| {
                let n = &m.node;
                let opt = |o: Option<MemberId>| o.map_or("-".to_string(), names::member_short);
                [
                    names::member_short(n.id),
                    names::node_name(n.id),
                    if m.removed {
                        "removed".into()
                    } else if m.up {
                        "up".into()
                    } else {
                        "down".into()
                    },
                    if !m.up {
                        "-".into()
                    } else if n.learners().contains(&n.id) {
                        "learner".into()
                    } else {
                        n.role.label().into()
                    },
                    n.term.to_string(),
                    opt(n.vote),
                    if m.up { opt(n.leader) } else { "-".into() },
                    n.log.committed.to_string(),
                    if m.up { n.log.applied.to_string() } else { "-".into() },
                    n.log.last_index().to_string(),
                    n.snapshot.as_ref().map_or("-".to_string(), |s| s.index.to_string()),
                ]
            })
            .collect();
        let render = |lang: Lang| {
            let mut lines = vec![header(lang).map(String::from)];
            lines.extend(rows.iter().cloned());
            let mut out = crate::table::render(&lines);
            out.push('\n');
            out.push_str(self.describe_network().get(lang));
            out
        };
        Text::new(render(Lang::Ko), render(Lang::En))
    }

    // ---- hashing ------------------------------------------------------------------------

    /// FNV-1a 64 over the whole simulated state (not the transcript text). Equal on every
    /// platform for the same scenario: the hasher normalises `usize` to 64 bits.
    pub fn state_hash(&self) -> u64 {
        let mut h = Fnv64::default();
        self.seed.hash(&mut h);
        self.now_us.hash(&mut h);
        self.rng.draws().hash(&mut h);
        self.queue.next_seq().hash(&mut h);
        for (at, seq, ev) in self.queue.sorted() {
            at.hash(&mut h);
            seq.hash(&mut h);
            ev.hash(&mut h);
        }
        self.net.hash(&mut h);
        self.members.hash(&mut h);
        self.link_free_us.hash(&mut h);
        self.requests.hash(&mut h);
        self.next_request.hash(&mut h);
        self.commands.hash(&mut h);
        self.stats.hash(&mut h);
        // Only once a watch has existed, so worlds without watches keep their hashes.
        if !self.watches.is_pristine() {
            self.watches.hash(&mut h);
        }
        self.hash_office(&mut h);
        if let Some(f) = &self.factory {
            f.hash_into(&mut h);
        }
        if !self.filters.is_empty() {
            self.filters.hash(&mut h);
        }
        for (cmd, flow) in &self.kubectl_steps {
            cmd.hash(&mut h);
            flow.hash_into(&mut h);
        }
        // Likewise the kubeconfig context, once switched.
        if self.kube_context != crate::k8s::kubeconfig::default_context() {
            self.kube_context.hash(&mut h);
        }
        h.finish()
    }
}
