//! The command language: one line of text → a [`Command`], or a clear error.
//!
//! The same parser serves the browser terminal, clicks on the diagrams, scenario files, share
//! URLs and the headless CLI (DESIGN.md "everything is a command at a time"). Parsing never
//! touches the world; resolving `leader` happens when the command runs.

pub mod curl;
mod etcdctl;
pub mod exec;
pub mod kubectl;
pub mod kubectl_objects;
pub mod kubectl_steps;
pub mod pipe;

use crate::etcd::client::ClientOp;
use crate::etcd::mvcc::KeyRange;
use crate::i18n::Text;
use crate::sim::{US_PER_MS, US_PER_S};

/// A longer line is refused before parsing (a 1 MB paste must not stall the page).
pub const LINE_BYTES_MAX: usize = 4096;
/// Longest `sleep` one command may ask for.
pub const SLEEP_US_MAX: u64 = 3600 * US_PER_S;
pub const KEY_BYTES_MAX: usize = 256;
pub const VALUE_BYTES_MAX: usize = 1024;

/// A member as written by the user; resolved against the world when the command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberRef {
    Leader,
    Named(String),
}

/// A Raft safeguard a lesson may switch off to show what it prevents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftOption {
    PreVote,
    CheckQuorum,
}

/// One side of a partition: members, and whether the clients (tellers) stand on this side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    pub members: Vec<MemberRef>,
    pub client: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Blank line or comment.
    Nothing,
    Crash(MemberRef),
    Restart(MemberRef),
    Partition(Vec<Side>),
    Isolate(MemberRef),
    /// One-way cut: messages from the first member to the second are lost.
    Cut(MemberRef, MemberRef),
    Heal,
    /// A client write through the teller in front of `via` (default: etcd-1).
    Put {
        key: String,
        value: String,
        via: Option<MemberRef>,
    },
    Status,
    /// `lab set prevote|checkquorum on|off`.
    Set {
        option: RaftOption,
        on: bool,
    },
    /// Message loss on every link, in parts per million.
    Loss {
        ppm: u32,
    },
    /// `lab duplicate PERCENT`: Raft messages between members delivered twice.
    Duplicate {
        ppm: u32,
    },
    /// `lab reorder PERCENT`: Raft messages between members delivered out of order.
    Reorder {
        ppm: u32,
    },
    Sleep {
        duration_us: u64,
    },
    /// `lab disk MEMBER LATENCY|normal`: the member's fsync latency (a slow disk).
    Disk {
        member: MemberRef,
        latency_us: u64,
    },
    /// `lab set snapshot-count N`.
    SnapshotCount(u64),
    /// `kubectl config …`.
    KubectlConfig(kubectl::ConfigCmd),
    /// `kubectl auth can-i …`.
    CanI(kubectl::CanI),
    /// `kubectl create token …`.
    CreateToken(kubectl::CreateToken),
    /// A kubectl command that is one API request (`get`, `create`, `run`, `delete`, `label`).
    Kube(Box<kubectl_objects::KubeCmd>),
    /// A kubectl command of several requests (`rollout …`, `set image`, `drain`).
    KubectlSteps(Box<kubectl_steps::Steps>),
    /// `lab apiserver crash|restart|slow NAME [DURATION]`: a teller (API server) fault.
    Teller {
        node: MemberRef,
        action: TellerAction,
    },
    /// `lab node crash|restart|partition|heal NODE`, `lab node add`: a node's kubelet.
    Node {
        action: NodeAction,
        /// Empty for `add`.
        node: String,
    },
    /// `lab controller-manager|scheduler crash|restart NODE`: one instance of a component.
    Component {
        scheduler: bool,
        crash: bool,
        node: MemberRef,
    },
    /// `lab rogue start deployment/NAME [-n NS] [--precondition=false]` (`Some`) / `lab rogue stop`.
    Rogue(Option<crate::controllers::rogue::RogueSpec>),
    /// `kubectl proxy --port=N`: a local HTTP proxy to the API server (runs in the background).
    Proxy {
        port: u16,
    },
    /// `kubectl exec [-n NS] POD -- COMMAND …`.
    Exec(Box<exec::Exec>),
    /// `kubectl logs [-n NS] [-f] POD [-c CONTAINER] [--tail=N]`.
    Logs(kubectl::Logs),
    /// `COMMAND | grep …`: the command, its standard output filtered.
    Piped(Box<Command>, Vec<pipe::Grep>),
    /// `lab oidc-token EMAIL [--group G]…`: an id_token from the lab's OIDC provider.
    OidcToken {
        email: String,
        groups: Vec<String>,
    },
    /// `lab webhook add KIND NAME …` / `lab webhook remove NAME`.
    WebhookAdd(Vec<String>),
    WebhookRemove(String),
    /// `lab stop MEMBER`: a graceful stop; a leader first hands leadership over (etcd does on
    /// SIGTERM).
    Stop(MemberRef),
    /// `etcdctl move-leader ID`: find the leader among the endpoints, ask it to transfer.
    MoveLeader {
        endpoints: Vec<(Option<MemberRef>, String)>,
        target: u64,
    },
    /// `etcdctl endpoint status|health`: one request per endpoint (each: the member it reaches
    /// and the address as typed), or every member with `--cluster`.
    EtcdEndpoints {
        status: bool,
        endpoints: Vec<(Option<MemberRef>, String)>,
        cluster: bool,
        table: bool,
    },
    /// An etcdctl request through the member at `endpoint` (default: etcd-1, 127.0.0.1:2379).
    Etcd {
        endpoint: Option<MemberRef>,
        op: ClientOp,
    },
    /// `etcdctl watch`: a stream served by the member at `endpoint` that keeps printing in the
    /// background after the prompt returns (`crate::watch`). `rev` 0: from the next revision.
    EtcdWatch {
        endpoint: Option<MemberRef>,
        range: KeyRange,
        rev: u64,
        prev_kv: bool,
    },
    /// `^C` (Ctrl-C): stops the newest running stream. A command line of its own, so a replay
    /// stops the stream at the same simulated instant.
    Interrupt,
    Help,
}

/// What `lab node` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeAction {
    Crash,
    Restart,
    Partition,
    Heal,
    Add,
}

/// What `lab apiserver` does to a teller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TellerAction {
    Crash,
    Restart,
    /// Every request takes this much longer (0: back to normal).
    Slow {
        delay_us: u64,
    },
}

/// A parse error, in both languages, formatted as the shell would print it.
pub type ParseError = Text;

pub fn parse(line: &str) -> Result<Command, ParseError> {
    if line.len() > LINE_BYTES_MAX {
        return Err(Text::new(
            format!("lab: 명령이 너무 깁니다 ({} 바이트, 최대 {LINE_BYTES_MAX})", line.len()),
            format!("lab: command too long ({} bytes, limit {LINE_BYTES_MAX})", line.len()),
        ));
    }
    let words = tokenize(line)?;
    let Some(first) = words.first() else {
        return Ok(Command::Nothing);
    };
    // A pipe: `lab partition` uses `|` for its sides, every other command may pipe into grep.
    if first != "lab" {
        if let Some(bar) = words.iter().position(|w| w == "|") {
            let mut filters = Vec::new();
            for part in words[bar + 1..].split(|w| w == "|") {
                filters.push(pipe::parse_filter(part)?);
            }
            if filters.len() > pipe::FILTERS_MAX {
                return Err(Text::new(
                    format!("lab: 파이프는 {}단계까지입니다", pipe::FILTERS_MAX),
                    format!("lab: at most {} pipes", pipe::FILTERS_MAX),
                ));
            }
            let line_before: Vec<String> = words[..bar].to_vec();
            let inner = parse_words(&line_before)?;
            return Ok(Command::Piped(Box::new(inner), filters));
        }
    }
    parse_words(&words)
}

fn parse_words(words: &[String]) -> Result<Command, ParseError> {
    let Some((first, rest)) = words.split_first() else {
        return Err(Text::same("bash: syntax error near unexpected token `|'"));
    };
    match first.as_str() {
        "lab" => parse_lab(rest),
        "etcdctl" => etcdctl::parse(rest),
        "kubectl" => kubectl::parse(rest),
        "curl" => curl::parse(rest),
        "sleep" => parse_sleep(rest),
        "help" => Ok(Command::Help),
        "^C" | "^c" => no_args(rest, Command::Interrupt),
        other => Err(Text::same(format!("bash: {}: command not found", printable(other)))),
    }
}

/// `lab apiserver crash|restart NODE` or `lab apiserver slow NODE DURATION` (NODE: `apiserver-2`,
/// the node name, or the API server's pod name).
fn parse_teller(args: &[String]) -> Result<Command, ParseError> {
    let usage = || {
        Text::new(
            "lab apiserver: 사용법: lab apiserver crash|restart apiserver-N | lab apiserver slow apiserver-N 2s",
            "lab apiserver: usage: lab apiserver crash|restart apiserver-N | lab apiserver slow apiserver-N 2s",
        )
    };
    let node = |n: &str| {
        let n = n.strip_prefix("kube-apiserver-").unwrap_or(n);
        match n.strip_prefix("apiserver-") {
            Some(i) => MemberRef::Named(format!("etcd-{i}")),
            None => MemberRef::Named(n.to_string()),
        }
    };
    match args {
        [a, n] if a == "crash" => Ok(Command::Teller { node: node(n), action: TellerAction::Crash }),
        [a, n] if a == "restart" => Ok(Command::Teller { node: node(n), action: TellerAction::Restart }),
        [a, n, d] if a == "slow" => {
            let delay_us = parse_duration_us(d).filter(|&us| us <= 60 * crate::sim::US_PER_S).ok_or_else(|| {
                Text::new(
                    format!("lab apiserver slow: 잘못된 시간 \"{}\" (0s–60s)", printable(d)),
                    format!("lab apiserver slow: invalid duration \"{}\" (0s to 60s)", printable(d)),
                )
            })?;
            Ok(Command::Teller { node: node(n), action: TellerAction::Slow { delay_us } })
        }
        _ => Err(usage()),
    }
}

/// `lab node crash|restart|partition|heal NODE` (NODE: `challenge-cluster-worker2` or `worker2`)
/// or `lab node add`.
fn parse_node(args: &[String]) -> Result<Command, ParseError> {
    let usage = || {
        Text::new(
            "lab node: 사용법: lab node crash|restart|partition|heal 노드이름 | lab node add",
            "lab node: usage: lab node crash|restart|partition|heal NODE | lab node add",
        )
    };
    let action = match args.first().map(String::as_str) {
        Some("crash") => NodeAction::Crash,
        Some("restart") => NodeAction::Restart,
        Some("partition") => NodeAction::Partition,
        Some("heal") => NodeAction::Heal,
        Some("add") if args.len() == 1 => return Ok(Command::Node { action: NodeAction::Add, node: String::new() }),
        _ => return Err(usage()),
    };
    match args {
        [_, n] => {
            let node = if n.starts_with("worker") || n.starts_with("control-plane") {
                format!("{}-{n}", crate::names::CLUSTER_NAME)
            } else {
                n.to_string()
            };
            Ok(Command::Node { action, node })
        }
        _ => Err(usage()),
    }
}

/// `lab controller-manager crash|restart NODE` / `lab scheduler …` (NODE: `1`, `etcd-1`, the
/// node name, or the component's pod name).
fn parse_component(scheduler: bool, args: &[String]) -> Result<Command, ParseError> {
    let what = if scheduler { "scheduler" } else { "controller-manager" };
    let usage = || {
        Text::new(
            format!("lab {what}: 사용법: lab {what} crash|restart 노드 (예: lab {what} crash 1)"),
            format!("lab {what}: usage: lab {what} crash|restart NODE (e.g. lab {what} crash 1)"),
        )
    };
    let [action, n] = args else { return Err(usage()) };
    let crash = match action.as_str() {
        "crash" => true,
        "restart" => false,
        _ => return Err(usage()),
    };
    let n = n.strip_prefix("kube-controller-manager-").or_else(|| n.strip_prefix("kube-scheduler-")).unwrap_or(n);
    let node = match n.parse::<u8>() {
        Ok(i) => MemberRef::Named(format!("etcd-{i}")),
        Err(_) => member_ref(n),
    };
    Ok(Command::Component { scheduler, crash, node })
}

/// `lab rogue start deployment/NAME [-n NS] [--precondition=true|false]` / `lab rogue stop`.
fn parse_rogue(args: &[String]) -> Result<Command, ParseError> {
    use crate::controllers::rogue::RogueSpec;
    let usage = || {
        Text::new(
            "lab rogue: 사용법: lab rogue start deployment/이름 [-n 네임스페이스] [--precondition=false] | lab rogue stop",
            "lab rogue: usage: lab rogue start deployment/NAME [-n NAMESPACE] [--precondition=false] | lab rogue stop",
        )
    };
    match args.split_first() {
        Some((a, rest)) if a == "stop" && rest.is_empty() => Ok(Command::Rogue(None)),
        Some((a, rest)) if a == "start" => {
            let (mut name, mut namespace, mut precondition) = (None, "default".to_string(), true);
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "-n" | "--namespace" => namespace = it.next().cloned().ok_or_else(usage)?,
                    "--precondition" | "--precondition=true" => precondition = true,
                    "--precondition=false" | "--no-precondition" => precondition = false,
                    a if a.starts_with("--namespace=") => namespace = a["--namespace=".len()..].to_string(),
                    a => {
                        let n = a
                            .strip_prefix("deployment/")
                            .or_else(|| a.strip_prefix("deployments/"))
                            .or_else(|| a.strip_prefix("deploy/"))
                            .filter(|n| !n.is_empty() && name.is_none())
                            .ok_or_else(usage)?;
                        name = Some(n.to_string());
                    }
                }
            }
            let name = name.ok_or_else(usage)?;
            if !crate::apiserver::validation::is_dns1123_subdomain(&name).is_empty()
                || !crate::apiserver::validation::is_dns1123_label(&namespace).is_empty()
            {
                return Err(Text::new(
                    format!("lab rogue: 잘못된 이름 \"{}\"", printable(&name)),
                    format!("lab rogue: invalid name \"{}\"", printable(&name)),
                ));
            }
            Ok(Command::Rogue(Some(RogueSpec { namespace, name, precondition })))
        }
        _ => Err(usage()),
    }
}

fn parse_lab(args: &[String]) -> Result<Command, ParseError> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(usage_error("lab: 하위 명령이 필요합니다", "lab: missing subcommand"));
    };
    let member_arg = |rest: &[String]| -> Result<MemberRef, ParseError> {
        match rest {
            [one] => Ok(member_ref(one)),
            [] => Err(Text::new(
                format!("lab {sub}: 멤버 이름이 필요합니다 (예: lab {sub} etcd-2)"),
                format!("lab {sub}: expected a member name (e.g. lab {sub} etcd-2)"),
            )),
            _ => Err(Text::new(
                format!("lab {sub}: 멤버는 하나만 지정합니다"),
                format!("lab {sub}: expected exactly one member"),
            )),
        }
    };
    match sub.as_str() {
        "crash" => Ok(Command::Crash(member_arg(rest)?)),
        "stop" => Ok(Command::Stop(member_arg(rest)?)),
        "disk" => parse_disk(rest),
        "restart" => Ok(Command::Restart(member_arg(rest)?)),
        "isolate" => Ok(Command::Isolate(member_arg(rest)?)),
        "heal" => no_args(rest, Command::Heal),
        "status" => no_args(rest, Command::Status),
        "partition" => parse_partition(rest),
        "cut" => match rest {
            [a, b] => Ok(Command::Cut(member_ref(a), member_ref(b))),
            [a, arrow, b] if arrow == "->" => Ok(Command::Cut(member_ref(a), member_ref(b))),
            _ => Err(Text::new(
                "lab cut: 사용법: lab cut FROM TO  (FROM→TO 방향 메시지만 끊김)",
                "lab cut: usage: lab cut FROM TO  (drops messages from FROM to TO only)",
            )),
        },
        "put" => parse_put(rest),
        "loss" => parse_percent(sub, rest).map(|ppm| Command::Loss { ppm }),
        "duplicate" => parse_percent(sub, rest).map(|ppm| Command::Duplicate { ppm }),
        "reorder" => parse_percent(sub, rest).map(|ppm| Command::Reorder { ppm }),
        "set" => parse_set(rest),
        "apiserver" => parse_teller(rest),
        "node" => parse_node(rest),
        "controller-manager" | "kcm" | "scheduler" => parse_component(sub == "scheduler", rest),
        "rogue" => parse_rogue(rest),
        "oidc-token" => {
            let mut groups = Vec::new();
            let mut email = None;
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--group" => groups.extend(it.next().cloned()),
                    g if g.starts_with("--group=") => groups.push(g["--group=".len()..].to_string()),
                    e if email.is_none() && e.contains('@') && !e.starts_with('-') => email = Some(e.to_string()),
                    _ => email = None,
                }
            }
            match email {
                Some(email) if groups.len() <= 16 => Ok(Command::OidcToken { email, groups }),
                _ => Err(Text::new(
                    "lab oidc-token: 사용법: lab oidc-token EMAIL [--group GROUP]… (예: lab oidc-token jane@example.com --group dev-team)",
                    "lab oidc-token: usage: lab oidc-token EMAIL [--group GROUP]… (e.g. lab oidc-token jane@example.com --group dev-team)",
                )),
            }
        }
        "webhook" => match rest {
            [add, spec @ ..] if add == "add" => Ok(Command::WebhookAdd(spec.to_vec())),
            [rm, name] if rm == "remove" => Ok(Command::WebhookRemove(name.clone())),
            _ => Err(Text::new(
                "lab webhook: 사용법: lab webhook add deny-latest NAME | add add-label NAME KEY=VALUE | add deny NAME MESSAGE | remove NAME",
                "lab webhook: usage: lab webhook add deny-latest NAME | add add-label NAME KEY=VALUE | add deny NAME MESSAGE | remove NAME",
            )),
        },
        "help" => Ok(Command::Help),
        other => Err(Text::new(
            format!("lab: 알 수 없는 하위 명령 \"{}\" ('help'로 목록 보기)", printable(other)),
            format!("lab: unknown subcommand \"{}\" (try 'help')", printable(other)),
        )),
    }
}

fn no_args(rest: &[String], cmd: Command) -> Result<Command, ParseError> {
    if rest.is_empty() {
        Ok(cmd)
    } else {
        Err(Text::new(
            format!("lab: 인자가 너무 많습니다: {}", printable(&rest.join(" "))),
            format!("lab: unexpected arguments: {}", printable(&rest.join(" "))),
        ))
    }
}

pub(crate) fn member_ref(word: &str) -> MemberRef {
    if word == "leader" {
        MemberRef::Leader
    } else {
        MemberRef::Named(word.to_string())
    }
}

fn parse_partition(rest: &[String]) -> Result<Command, ParseError> {
    // Each `|`-separated group of words is one side; `client` puts the tellers on that side.
    let sides: Vec<Side> = rest
        .split(|w| w == "|")
        .map(|words| Side {
            members: words.iter().filter(|w| *w != "client" && *w != "clients").map(|w| member_ref(w)).collect(),
            client: words.iter().any(|w| w == "client" || w == "clients"),
        })
        .collect();
    if sides.iter().any(|s| s.members.is_empty()) {
        return Err(Text::new(
            "lab partition: 각 쪽에 멤버가 있어야 합니다 (예: lab partition etcd-1 | etcd-2 etcd-3)",
            "lab partition: every side needs members (e.g. lab partition etcd-1 | etcd-2 etcd-3)",
        ));
    }
    if sides.iter().filter(|s| s.client).count() > 1 {
        return Err(Text::new(
            "lab partition: client는 한 쪽에만 둘 수 있습니다",
            "lab partition: client can stand on one side only",
        ));
    }
    Ok(Command::Partition(sides))
}

fn parse_put(rest: &[String]) -> Result<Command, ParseError> {
    let mut positional = Vec::new();
    let mut via = None;
    let mut i = 0;
    while i < rest.len() {
        let w = &rest[i];
        if let Some(v) = w.strip_prefix("--via=") {
            via = Some(member_ref(v));
        } else if w == "--via" {
            let Some(v) = rest.get(i + 1) else {
                return Err(Text::new("lab put: --via 뒤에 멤버가 필요합니다", "lab put: --via needs a member"));
            };
            via = Some(member_ref(v));
            i += 1;
        } else {
            positional.push(w.clone());
        }
        i += 1;
    }
    let [key, value] = <[String; 2]>::try_from(positional).map_err(|_| {
        Text::new(
            "lab put: 사용법: lab put KEY VALUE [--via MEMBER]",
            "lab put: usage: lab put KEY VALUE [--via MEMBER]",
        )
    })?;
    if key.is_empty() || key.len() > KEY_BYTES_MAX || value.len() > VALUE_BYTES_MAX {
        return Err(Text::new(
            format!("lab put: 키는 1–{KEY_BYTES_MAX} 바이트, 값은 최대 {VALUE_BYTES_MAX} 바이트입니다"),
            format!("lab put: key must be 1–{KEY_BYTES_MAX} bytes and value at most {VALUE_BYTES_MAX} bytes"),
        ));
    }
    Ok(Command::Put { key, value, via })
}

fn parse_disk(rest: &[String]) -> Result<Command, ParseError> {
    let bad = || {
        Text::new(
            "lab disk: 사용법: lab disk MEMBER 지연시간|normal (예: lab disk etcd-2 500ms, 최대 10s)",
            "lab disk: usage: lab disk MEMBER LATENCY|normal (e.g. lab disk etcd-2 500ms, at most 10s)",
        )
    };
    let [member, latency] = rest else { return Err(bad()) };
    let latency_us = match latency.as_str() {
        "normal" | "fast" | "ok" => crate::world::DISK_LATENCY_US_DEFAULT,
        d => parse_duration_us(d).filter(|&us| us <= crate::world::DISK_LATENCY_US_MAX).ok_or_else(bad)?,
    };
    Ok(Command::Disk { member: member_ref(member), latency_us })
}

fn parse_set(rest: &[String]) -> Result<Command, ParseError> {
    let bad = || {
        Text::new(
            "lab set: 사용법: lab set prevote|checkquorum on|off, lab set snapshot-count N",
            "lab set: usage: lab set prevote|checkquorum on|off, lab set snapshot-count N",
        )
    };
    if let [option, n] = rest {
        if option == "snapshot-count" {
            use crate::etcd::snapshot::SNAPSHOT_COUNT_MAX;
            return match n.parse::<u64>() {
                Ok(n) if (1..=SNAPSHOT_COUNT_MAX).contains(&n) => Ok(Command::SnapshotCount(n)),
                _ => Err(Text::new(
                    format!("lab set snapshot-count: 1–{SNAPSHOT_COUNT_MAX} 사이의 수가 필요합니다"),
                    format!("lab set snapshot-count: expected a number from 1 to {SNAPSHOT_COUNT_MAX}"),
                )),
            };
        }
    }
    let [option, value] = rest else {
        return Err(bad());
    };
    let option = match option.as_str() {
        "prevote" | "pre-vote" => RaftOption::PreVote,
        "checkquorum" | "check-quorum" => RaftOption::CheckQuorum,
        _ => return Err(bad()),
    };
    let on = match value.as_str() {
        "on" | "true" => true,
        "off" | "false" => false,
        _ => return Err(bad()),
    };
    Ok(Command::Set { option, on })
}

/// `lab loss|duplicate|reorder PERCENT` → parts per million.
fn parse_percent(sub: &str, rest: &[String]) -> Result<u32, ParseError> {
    let bad = || {
        Text::new(
            format!("lab {sub}: 사용법: lab {sub} PERCENT (0–100, 예: 5%)"),
            format!("lab {sub}: usage: lab {sub} PERCENT (0–100, e.g. 5%)"),
        )
    };
    let [p] = rest else { return Err(bad()) };
    let p = p.strip_suffix('%').unwrap_or(p);
    let percent: u32 = p.parse().map_err(|_| bad())?;
    if percent > 100 {
        return Err(bad());
    }
    Ok(percent * 10_000)
}

fn parse_sleep(rest: &[String]) -> Result<Command, ParseError> {
    let [d] = rest else {
        return Err(Text::same("sleep: missing operand"));
    };
    let duration_us =
        parse_duration_us(d).ok_or_else(|| Text::same(format!("sleep: invalid time interval '{}'", printable(d))))?;
    if duration_us > SLEEP_US_MAX {
        return Err(Text::new("sleep: 최대 1시간(3600s)입니다", "sleep: at most 1 hour (3600s)"));
    }
    Ok(Command::Sleep { duration_us })
}

/// `2`, `2s`, `1.5s`, `500ms`, `3m`, `1h` → microseconds. Integers only in the result.
pub fn parse_duration_us(s: &str) -> Option<u64> {
    let (num, unit_us) = if let Some(n) = s.strip_suffix("ms") {
        (n, US_PER_MS)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, US_PER_S)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60 * US_PER_S)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600 * US_PER_S)
    } else {
        (s, US_PER_S)
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 6 {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let mut frac_scaled: u64 = 0;
    let mut scale = unit_us;
    for c in frac.chars() {
        scale /= 10;
        frac_scaled += (c as u64 - '0' as u64) * scale;
    }
    whole.checked_mul(unit_us)?.checked_add(frac_scaled)
}

/// Splits a line into words: whitespace separates, '…' and "…" quote, `#` starts a comment.
fn tokenize(line: &str) -> Result<Vec<String>, ParseError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => break,
            '\'' | '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\\') if c == '"' => match chars.next() {
                            Some(e) => cur.push(e),
                            None => return Err(unterminated()),
                        },
                        Some(o) => cur.push(o),
                        None => return Err(unterminated()),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c if c.is_control() => {
                return Err(Text::new("lab: 명령에 제어 문자가 있습니다", "lab: control character in command"))
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn unterminated() -> ParseError {
    Text::same("bash: unexpected EOF while looking for matching quote")
}

fn usage_error(ko: &str, en: &str) -> ParseError {
    Text::new(format!("{ko} ('help'로 목록 보기)"), format!("{en} (try 'help')"))
}

/// A whole command line made safe to echo: invisible characters escaped, nothing cut.
pub fn printable_line(s: &str) -> String {
    if !s.chars().any(is_invisible) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Echoes user text back safely: control and invisible formatting characters are shown escaped,
/// and long words are cut, so an error message can never smuggle layout tricks.
pub fn printable(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i >= 64 {
            out.push('…');
            break;
        }
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

pub const HELP_EN: &str = "\
lab status                         members, roles, terms, commit indexes
lab put KEY VALUE [--via MEMBER]   a client write through a teller (default etcd-1)
lab crash MEMBER                   stop a member (volatile state is lost)
lab restart MEMBER                 start it again from its disk (term, vote, log)
lab partition A B | C D [| …]      split members into sides (add 'client' to a side
                                   to let the tellers reach only that side)
lab isolate MEMBER                 cut one member off from all others
lab cut FROM TO                    drop messages from FROM to TO only
lab heal                           remove every partition and cut
lab loss PERCENT                   lose that share of all messages
lab duplicate PERCENT              deliver that share of Raft messages twice
lab reorder PERCENT                deliver that share of Raft messages out of order
lab set prevote|checkquorum on|off switch a Raft safeguard (both on in etcd 3.5)
lab set snapshot-count N           snapshot every N applied entries (lab: 50; etcd: 100000)
lab disk MEMBER LATENCY|normal     a slow disk: fsync takes LATENCY (normal: 1ms)
lab stop MEMBER                    stop gracefully (a leader hands over leadership first)
sleep DURATION                     let simulated time pass (2s, 500ms, 1m)
kubectl config current-context|get-contexts|use-context NAME|view --minify
kubectl auth can-i VERB RESOURCE [NAME] [-n NS|-A] [--as USER [--as-group G]] [--token T] | --list
kubectl create token SERVICEACCOUNT [-n NS] [--duration 1h]
                                   as the kubeconfig's users (admin, developer, viewer, ci);
                                   RBAC reads the Roles and bindings stored in etcd
kubectl get TYPE [NAME] [-n NS|-A] [-o wide|yaml|json|name] [--show-labels] [-w]
kubectl get --raw /api/v1/…[?resourceVersion=0][&watch=1]
kubectl run NAME --image=IMAGE [--labels=k=v] [--privileged]
kubectl create namespace|deployment|quota|configmap|serviceaccount|role|clusterrole|
               rolebinding|clusterrolebinding NAME …
kubectl delete TYPE NAME [--cascade=background|foreground|orphan] [--grace-period=N] [--force]
kubectl label TYPE NAME k=v [k-]   kubectl scale deployment|rs NAME --replicas=N
kubectl cordon|uncordon NODE       kubectl describe node|pod|deployment|rs [NAME] [-n NS]
kubectl logs [-n NS] [-f] POD [-c CONTAINER] [--tail=N]
kubectl rollout status|history|undo|restart|pause|resume deployment/NAME
                                   (status: [-w=false] [--revision=N] [--timeout=1m];
                                   history: [--revision=N]; undo: [--to-revision=N])
kubectl set image deployment/NAME CONTAINER=IMAGE [--record]
kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]
                                   one request through kind's load balancer to an API server:
                                   authentication, authorization, admission, validation, etcd.
                                   kubectl get reads etcd (a consistent read, as in v1.27);
                                   resourceVersion=0 reads that API server's watch cache
kubectl exec -n kube-system POD -- etcdctl …|kube-apiserver --help
kubectl proxy --port=8080 &        then: curl http://localhost:8080/api/v1/pods
                                   (-X POST|PUT|PATCH|DELETE, -d '{…}')
COMMAND | grep [-i] [-v] [-E] [-A N] PATTERN
lab apiserver crash|restart apiserver-N   lab apiserver slow apiserver-N 2s
lab webhook add deny-latest NAME | add-label NAME K=V | deny NAME MESSAGE; remove NAME
lab node crash|restart|partition|heal NODE   a node's kubelet (workers); lab node add
lab controller-manager|scheduler crash|restart N   one instance (N: its control-plane node)
lab rogue start deployment/NAME [--precondition=false]; lab rogue stop   a second writer (409 / lost update)
lab oidc-token EMAIL [--group G]   an id_token from the lab's OIDC provider (kubectl --token)
etcdctl put|get|del|compact|lease|member list|endpoint status|health|move-leader
                                   etcd's own client (get: --prefix, --keys-only,
                                   --rev N, -w json, --consistency=s|l; --endpoints=etcd-2)
etcdctl watch KEY [RANGE_END] [--prefix] [--rev N] [--prev-kv]
                                   a stream: the prompt returns at once, and the events the
                                   member applies print in the background as time passes
^C                                 stop the newest running stream (Ctrl-C)
etcdctl txn 'COMPARE' … --then 'REQUEST' … --else 'REQUEST' …
                                   a transaction on one line: each quoted part is one line
                                   etcdctl txn reads from stdin, --then/--else the blank
                                   lines; compares mod|create|version|value(\"KEY\") with
                                   = != < > \"N\"; requests put, get, del. Example:
                                   etcdctl txn 'mod(\"/k\") = \"5\"' --then 'put /k v2' --else 'get /k'
MEMBER: etcd-2, challenge-cluster-control-plane2 (node / etcd member name), or leader";

pub const HELP_KO: &str = "\
lab status                         멤버, 역할, 텀, 커밋 인덱스
lab put KEY VALUE [--via MEMBER]   창구(teller)를 통한 클라이언트 쓰기 (기본 etcd-1)
lab crash MEMBER                   멤버 중지 (휘발성 상태 손실)
lab restart MEMBER                 디스크(텀, 투표, 로그)에서 다시 시작
lab partition A B | C D [| …]      멤버를 여러 쪽으로 분할 (한 쪽에 'client'를 넣으면
                                   창구는 그 쪽에만 닿음)
lab isolate MEMBER                 한 멤버를 나머지 모두와 단절
lab cut FROM TO                    FROM→TO 방향 메시지만 끊기
lab heal                           모든 분할과 단절 복구
lab loss PERCENT                   모든 메시지 중 그 비율을 유실
lab duplicate PERCENT              Raft 메시지 중 그 비율을 두 번 전달
lab reorder PERCENT                Raft 메시지 중 그 비율을 순서를 바꿔 전달
lab set prevote|checkquorum on|off Raft 보호 장치 켜기/끄기 (etcd 3.5는 둘 다 켜짐)
lab set snapshot-count N           적용한 엔트리 N개마다 스냅샷 (랩: 50, etcd: 100000)
lab disk MEMBER LATENCY|normal     느린 디스크: fsync에 LATENCY 걸림 (normal: 1ms)
lab stop MEMBER                    정상 종료 (리더는 먼저 리더십을 넘김)
sleep DURATION                     시뮬레이션 시간 진행 (2s, 500ms, 1m)
kubectl config current-context|get-contexts|use-context NAME|view --minify
kubectl auth can-i VERB RESOURCE [NAME] [-n NS|-A] [--as USER [--as-group G]] [--token T] | --list
kubectl create token SERVICEACCOUNT [-n NS] [--duration 1h]
                                   kubeconfig 사용자(admin, developer, viewer, ci)로;
                                   RBAC는 etcd에 저장된 Role과 바인딩을 읽음
kubectl get TYPE [NAME] [-n NS|-A] [-o wide|yaml|json|name] [--show-labels] [-w]
kubectl get --raw /api/v1/…[?resourceVersion=0][&watch=1]
kubectl run NAME --image=IMAGE [--labels=k=v] [--privileged]
kubectl create namespace|deployment|quota|configmap|serviceaccount|role|clusterrole|
               rolebinding|clusterrolebinding NAME …
kubectl delete TYPE NAME [--cascade=background|foreground|orphan] [--grace-period=N] [--force]
kubectl label TYPE NAME k=v [k-]   kubectl scale deployment|rs NAME --replicas=N
kubectl cordon|uncordon NODE       kubectl describe node|pod|deployment|rs [NAME] [-n NS]
kubectl logs [-n NS] [-f] POD [-c CONTAINER] [--tail=N]
kubectl rollout status|history|undo|restart|pause|resume deployment/NAME
                                   (status: [-w=false] [--revision=N] [--timeout=1m];
                                   history: [--revision=N]; undo: [--to-revision=N])
kubectl set image deployment/NAME CONTAINER=IMAGE [--record]
kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]
                                   kind의 로드 밸런서를 거쳐 API 서버 하나로 가는 요청:
                                   인증, 인가, 어드미션, 검증, etcd 순서.
                                   kubectl get은 etcd를 읽음(v1.27처럼 일관된 읽기);
                                   resourceVersion=0은 그 API 서버의 watch 캐시를 읽음
kubectl exec -n kube-system POD -- etcdctl …|kube-apiserver --help
kubectl proxy --port=8080 &        그다음: curl http://localhost:8080/api/v1/pods
                                   (-X POST|PUT|PATCH|DELETE, -d '{…}')
COMMAND | grep [-i] [-v] [-E] [-A N] PATTERN
lab apiserver crash|restart apiserver-N   lab apiserver slow apiserver-N 2s
lab webhook add deny-latest NAME | add-label NAME K=V | deny NAME MESSAGE; remove NAME
lab node crash|restart|partition|heal NODE   노드의 kubelet (워커 노드); lab node add
lab controller-manager|scheduler crash|restart N   인스턴스 하나 (N: 그 컨트롤 플레인 노드)
lab rogue start deployment/NAME [--precondition=false]; lab rogue stop   두 번째 작성자 (409 / 갱신 손실)
lab oidc-token EMAIL [--group G]   an id_token from the lab's OIDC provider (kubectl --token)
etcdctl put|get|del|compact|lease|member list|endpoint status|health|move-leader
                                   etcd 클라이언트 (get: --prefix, --keys-only,
                                   --rev N, -w json, --consistency=s|l; --endpoints=etcd-2)
etcdctl watch KEY [RANGE_END] [--prefix] [--rev N] [--prev-kv]
                                   스트림: 프롬프트는 바로 돌아오고, 멤버가 적용하는
                                   이벤트가 시간이 흐르면서 뒤에서 출력됨
^C                                 가장 최근에 시작한 스트림 멈추기 (Ctrl-C)
etcdctl txn '비교' … --then '요청' … --else '요청' …
                                   한 줄 트랜잭션: 따옴표로 감싼 조각 하나가 etcdctl txn이
                                   stdin에서 읽는 한 줄, --then/--else는 빈 줄 자리;
                                   비교 mod|create|version|value(\"KEY\") 와 = != < > \"N\",
                                   요청 put, get, del. 예:
                                   etcdctl txn 'mod(\"/k\") = \"5\"' --then 'put /k v2' --else 'get /k'
MEMBER: etcd-2, challenge-cluster-control-plane2 (노드 / etcd 멤버 이름), 또는 leader";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_lab_commands_of_the_issue() {
        assert_eq!(parse("lab crash etcd-2"), Ok(Command::Crash(MemberRef::Named("etcd-2".into()))));
        assert_eq!(parse("lab restart leader"), Ok(Command::Restart(MemberRef::Leader)));
        let Ok(Command::Partition(sides)) = parse("lab partition etcd-1 etcd-2 | etcd-3 etcd-4 etcd-5") else {
            panic!("partition did not parse")
        };
        assert_eq!(sides.len(), 2);
        assert_eq!(sides[1].members.len(), 3);
        assert_eq!(parse("lab heal"), Ok(Command::Heal));
        assert_eq!(
            parse("lab put foo 'hello world' --via etcd-3"),
            Ok(Command::Put {
                key: "foo".into(),
                value: "hello world".into(),
                via: Some(MemberRef::Named("etcd-3".into()))
            })
        );
        assert_eq!(parse("sleep 2s"), Ok(Command::Sleep { duration_us: 2 * US_PER_S }));
        assert_eq!(parse("   # just a comment"), Ok(Command::Nothing));
    }

    #[test]
    fn durations_are_integers_of_microseconds() {
        assert_eq!(parse_duration_us("2"), Some(2_000_000));
        assert_eq!(parse_duration_us("1.5s"), Some(1_500_000));
        assert_eq!(parse_duration_us("500ms"), Some(500_000));
        assert_eq!(parse_duration_us("1m"), Some(60_000_000));
        assert_eq!(parse_duration_us("abc"), None);
        assert_eq!(parse_duration_us("-1s"), None);
        assert_eq!(parse_duration_us("."), None);
        assert_eq!(parse_duration_us("99999999999999999999s"), None);
    }

    #[test]
    fn bad_input_gets_one_clear_error() {
        assert_eq!(parse("foo bar").unwrap_err().en, "bash: foo: command not found");
        assert!(parse("lab partition | etcd-1").is_err());
        assert!(parse("lab put onlykey").is_err());
        assert!(parse("lab put 'unterminated").is_err());
        assert!(parse("sleep 2h").is_err());
        assert!(parse(&"x".repeat(LINE_BYTES_MAX + 1)).is_err());
        assert!(parse("lab loss 101%").is_err());
    }

    #[test]
    fn echoed_text_is_defanged() {
        let e = parse("\u{202E}evil").unwrap_err();
        assert!(e.en.contains("\\u{202e}"), "{}", e.en);
        assert_eq!(printable_line("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(printable_line("lab heal"), "lab heal");
    }
}
