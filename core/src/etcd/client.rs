//! What a client asks etcd (etcdctl's requests, the API servers' later) and how etcdctl
//! prints the answers (etcd `etcdctl/ctlv3/command/printer_simple.go`, `printer_json.go`;
//! facts §1.5).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::message::MemberId;
use super::mvcc::{Bytes, KeyRange, KeyValue, MvccStore, TxnRequest, TxnResponse};
use crate::hash::Fnv64;
use crate::names;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientOp {
    Put {
        key: Bytes,
        value: Bytes,
        lease: u64,
    },
    LeaseGrant {
        ttl_s: u64,
    },
    LeaseRevoke {
        id: u64,
    },
    LeaseKeepAlive {
        id: u64,
    },
    /// `endpoint status`: answered at once by the member, from its own state.
    EndpointStatus {
        endpoint: String,
        table: bool,
    },
    /// `endpoint health`: a linearizable read (ReadIndex round) must succeed.
    EndpointHealth {
        endpoint: String,
    },
    /// Answered after a ReadIndex round, like a linearizable read.
    LeaseTimeToLive {
        id: u64,
        keys: bool,
    },
    Delete {
        range: KeyRange,
    },
    Get(GetQuery),
    Compact {
        revision: u64,
    },
    /// `member list`: answered by the member asked, from its own view of the membership.
    MemberList {
        table: bool,
    },
    /// `member add NAME --peer-urls=URL [--learner]`.
    MemberAdd {
        name: String,
        peer_url: String,
        learner: bool,
        /// The lab's number for the new member, chosen when the command runs (0 from the parser).
        member: MemberId,
    },
    /// `member promote ID` (a learner becomes a voter).
    MemberPromote {
        id: u64,
    },
    /// `member remove ID`.
    MemberRemove {
        id: u64,
    },
    /// `move-leader`: sent to the leader, answered once the transferee leads.
    MoveLeader {
        target: u64,
    },
    /// `txn`: a write through Raft like `put` (also when it only reads: simpler, and still
    /// linearizable).
    Txn(std::rc::Rc<TxnRequest>),
}

/// The address kind gives a control-plane node on its docker network (the first container
/// gets 172.18.0.2).
pub fn node_ip(m: MemberId) -> String {
    format!("172.18.0.{}", u16::from(m) + 1)
}

/// The etcd version kind v1.27.3 runs (kubeadm's etcd image for 1.27: 3.5.7-0).
pub const ETCD_VERSION: &str = "3.5.7";

pub const ENDPOINT_STATUS_HEADER: [&str; 10] = [
    "Endpoint",
    "ID",
    "Version",
    "DB Size",
    "Is Leader",
    "Is Learner",
    "Raft Term",
    "Raft Index",
    "Raft Applied Index",
    "Errors",
];

/// Bytes as go-humanize prints them (SI units, no decimals at this size): `25 kB`.
pub fn human_bytes(b: u64) -> String {
    match b {
        0..=999 => format!("{b} B"),
        1_000..=999_999 => format!("{} kB", (b + 500) / 1_000),
        _ => format!("{} MB", (b + 500_000) / 1_000_000),
    }
}

/// A Go `time.Duration` as `String()` prints it (etcdctl's `took = …`): `850µs`, `23.456ms`,
/// `2s`, `1.5s`, `1m30s`, `1h0m0s`.
pub fn go_duration_us(us: u64) -> String {
    let frac = |whole: u64, part: u64, digits: usize| {
        let p = format!("{part:0digits$}");
        let p = p.trim_end_matches('0');
        if p.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{p}")
        }
    };
    if us < 1_000 {
        return format!("{us}µs");
    }
    if us < 1_000_000 {
        return format!("{}ms", frac(us / 1_000, us % 1_000, 3));
    }
    let (h, m) = (us / 3_600_000_000, us / 60_000_000 % 60);
    let s = frac(us / 1_000_000 % 60, us % 1_000_000, 6);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

/// `etcdctl member list` (simple or `-w table`; etcd `printer_simple.go` / `printer_table.go`).
/// One row of `member list`: the member, its name and peer URL, whether it is a learner.
pub struct MemberRow<'a> {
    pub member: MemberId,
    pub name: &'a str,
    pub peer_url: &'a str,
    pub learner: bool,
}

/// `member list` (etcd `printer.go` `makeMemberListTable`: the ID in `%x`, no padding).
pub fn format_member_list(members: &[MemberRow<'_>], table: bool) -> Vec<String> {
    let rows: Vec<Vec<String>> = members
        .iter()
        .map(|r| {
            vec![
                format!("{:x}", member_id(r.member)),
                "started".to_string(),
                r.name.to_string(),
                r.peer_url.to_string(),
                format!("https://{}:2379", node_ip(r.member)),
                r.learner.to_string(),
            ]
        })
        .collect();
    if table {
        super::table::render(&["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"], &rows)
    } else {
        rows.into_iter().map(|r| r.join(", ")).collect()
    }
}

/// How `etcdctl get` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GetFormat {
    /// key line, value line
    Simple,
    /// `--keys-only`: key line, then an empty line
    KeysOnly,
    /// `--print-value-only`: value lines
    ValuesOnly,
    /// `-w json`
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GetQuery {
    pub range: KeyRange,
    /// 0 = the current revision.
    pub rev: u64,
    /// 0 = no limit.
    pub limit: usize,
    /// `--consistency=s`: answer from this member's own state, without asking the leader.
    pub serializable: bool,
    pub format: GetFormat,
}

/// The response header etcd puts on every answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub cluster_id: u64,
    pub member_id: u64,
    pub revision: u64,
    pub raft_term: u64,
}

fn fnv(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = Fnv64::default();
    h.write(s.as_bytes());
    // splitmix64's finalizer: similar names (…-control-plane2, …-control-plane3) must give
    // IDs that look as unrelated as etcd's random ones.
    mix(h.finish())
}

/// A lease ID as the member that granted it would pick it: unique per request, positive like
/// etcd's int64 IDs, printed as 16 hex digits.
pub fn lease_id(m: MemberId, request: u64) -> u64 {
    mix(member_id(m) ^ request) >> 1
}

fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable cluster ID (etcd derives it from the initial members; the lab from the cluster name).
pub fn cluster_id() -> u64 {
    fnv(names::CLUSTER_NAME)
}

/// A stable member ID, printed as 16 hex digits like etcd's.
pub fn member_id(m: MemberId) -> u64 {
    fnv(&names::node_name(m))
}

/// `etcdctl lease timetolive ID [--keys]` (etcd `printer_simple.go` `TimeToLive`).
pub fn format_time_to_live(
    id: u64,
    lease: Option<&super::snapshot::Lease>,
    now_us: u64,
    keys: bool,
    store: &MvccStore,
) -> String {
    let Some(l) = lease.filter(|l| l.expiry_us > now_us) else {
        return format!("lease {id:016x} already expired");
    };
    // etcd rounds the remaining TTL up to whole seconds.
    let remaining_s = (l.expiry_us - now_us).div_ceil(1_000_000);
    let mut s = format!("lease {id:016x} granted with TTL({}s), remaining({remaining_s}s)", l.ttl_s);
    if keys {
        let ks: Vec<String> = store.keys_with_lease(id).iter().map(|k| k.to_string()).collect();
        s.push_str(&format!(", attached keys([{}])", ks.join(" ")));
    }
    s
}

/// A transaction's result as etcdctl's simple printer prints it (etcd v3.5
/// `etcdctl/ctlv3/command/printer_simple.go` `Txn`): `SUCCESS` or `FAILURE`, then per request a
/// blank line and that request's own output (`OK`; the deleted count; the key and value lines).
/// Lines are joined with `\n`: one answer, many terminal lines.
pub fn format_txn(r: Result<super::mvcc::TxnResult, super::mvcc::MvccError>) -> Result<String, String> {
    let r = r.map_err(|e| e.message().to_string())?;
    let mut lines = vec![if r.succeeded { "SUCCESS" } else { "FAILURE" }.to_string()];
    for resp in &r.responses {
        lines.push(String::new());
        match resp {
            TxnResponse::Put => lines.push("OK".to_string()),
            TxnResponse::Delete(n) => lines.push(n.to_string()),
            TxnResponse::Get(kvs) => {
                for kv in kvs {
                    lines.push(kv.key.to_string());
                    lines.push(kv.value.to_string());
                }
            }
        }
    }
    Ok(lines.join("\n"))
}

/// `etcdctl get`'s output, or the error etcdctl prints after `Error: `.
pub fn format_get(store: &MvccStore, q: &GetQuery, header: Header) -> Result<Vec<String>, String> {
    let (kvs, count) = store.range(&q.range, q.rev, q.limit).map_err(|e| e.message().to_string())?;
    let mut out = Vec::new();
    match q.format {
        GetFormat::Simple => {
            for kv in &kvs {
                out.push(kv.key.to_string());
                out.push(kv.value.to_string());
            }
        }
        GetFormat::KeysOnly => {
            for kv in &kvs {
                out.push(kv.key.to_string());
                out.push(String::new());
            }
        }
        GetFormat::ValuesOnly => out.extend(kvs.iter().map(|kv| kv.value.to_string())),
        GetFormat::Json => out.push(json_get(&kvs, count, header)),
    }
    Ok(out)
}

/// etcdctl's `-w json` for a range response: one line, keys and values base64, counts only when
/// non-zero (protobuf JSON omits zero fields).
fn json_get(kvs: &[KeyValue], count: usize, h: Header) -> String {
    let mut s = format!(
        "{{\"header\":{{\"cluster_id\":{},\"member_id\":{},\"revision\":{},\"raft_term\":{}}}",
        h.cluster_id, h.member_id, h.revision, h.raft_term
    );
    if !kvs.is_empty() {
        let items: Vec<String> = kvs
            .iter()
            .map(|kv| {
                let mut item = format!(
                    "{{\"key\":\"{}\",\"create_revision\":{},\"mod_revision\":{},\"version\":{},\"value\":\"{}\"",
                    STANDARD.encode(kv.key.as_bytes()),
                    kv.create_revision,
                    kv.mod_revision,
                    kv.version,
                    STANDARD.encode(kv.value.as_bytes())
                );
                if kv.lease != 0 {
                    item.push_str(&format!(",\"lease\":{}", kv.lease));
                }
                item.push('}');
                item
            })
            .collect();
        s.push_str(&format!(",\"kvs\":[{}]", items.join(",")));
    }
    if count > 0 {
        s.push_str(&format!(",\"count\":{count}"));
    }
    s.push('}');
    s
}

#[cfg(test)]
mod duration_tests {
    use super::go_duration_us;

    /// Go's `time.Duration.String` examples.
    #[test]
    fn durations_print_as_go_prints_them() {
        for (us, want) in [
            (850, "850µs"),
            (23_456, "23.456ms"),
            (500_000, "500ms"),
            (2_000_000, "2s"),
            (1_500_000, "1.5s"),
            (90_000_000, "1m30s"),
            (3_600_000_000, "1h0m0s"),
        ] {
            assert_eq!(go_duration_us(us), want);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn get_prints_like_etcdctl() {
        let mut store = MvccStore::new();
        store.put(Rc::from("foo"), Rc::from("bar"), 0);
        let h = Header { cluster_id: 1, member_id: 2, revision: store.revision(), raft_term: 3 };
        let q =
            |format| GetQuery { range: KeyRange::Key(Rc::from("foo")), rev: 0, limit: 0, serializable: false, format };
        assert_eq!(format_get(&store, &q(GetFormat::Simple), h).unwrap(), ["foo", "bar"]);
        assert_eq!(format_get(&store, &q(GetFormat::KeysOnly), h).unwrap(), ["foo", ""]);
        assert_eq!(format_get(&store, &q(GetFormat::ValuesOnly), h).unwrap(), ["bar"]);
        assert_eq!(
            format_get(&store, &q(GetFormat::Json), h).unwrap(),
            [
                r#"{"header":{"cluster_id":1,"member_id":2,"revision":2,"raft_term":3},"kvs":[{"key":"Zm9v","create_revision":2,"mod_revision":2,"version":1,"value":"YmFy"}],"count":1}"#
            ]
        );
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(cluster_id(), cluster_id());
        assert_ne!(member_id(1), member_id(2));
    }

    #[test]
    fn txn_prints_like_etcdctl_and_stays_out_of_the_linearizability_history() {
        // etcd v3.5 printer_simple.go `Txn`: SUCCESS/FAILURE, then a blank line before each
        // response (put: OK; del: the count; get: key and value lines).
        let mut w = crate::World::new(1, 1);
        for line in [
            "sleep 3s",
            "etcdctl put k v1",
            "etcdctl put other x",
            r#"etcdctl txn 'mod("k") = "2"' --then 'put k v2' 'del nothing' 'get k'"#,
        ] {
            let id = w.submit(line);
            w.run_until_done(id);
        }
        let out = w.render_transcript(0, crate::i18n::Lang::En);
        assert!(out.ends_with("SUCCESS\n\nOK\n\n0\n\nk\nv2\n"), "{out}");
        // The checker's model has no compares: keys a txn may write are left out, others stay.
        let keys: Vec<String> = w.client_history().iter().map(|h| h.key.to_string()).collect();
        assert_eq!(keys, ["other"]);
    }
}
