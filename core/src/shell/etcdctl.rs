//! `etcdctl` (v3.5) as the class types it: global flags (`--endpoints`, the TLS files), then
//! `put`, `get`, `del`. Errors read like etcdctl's own (`Error: …`).

use std::rc::Rc;

use super::{member_ref, printable, Command, MemberRef, ParseError, KEY_BYTES_MAX, VALUE_BYTES_MAX};
use crate::etcd::client::{ClientOp, GetFormat, GetQuery};
use crate::etcd::mvcc::KeyRange;
use crate::i18n::Text;

/// Global flags that take a value and only need to be plausible here.
const TLS_FLAGS: [&str; 5] = ["--cacert", "--cert", "--key", "--command-timeout", "--dial-timeout"];

struct Args {
    positional: Vec<String>,
    flags: Vec<(String, Option<String>)>,
}

fn split_args(args: &[String]) -> Result<Args, ParseError> {
    let mut out = Args { positional: Vec::new(), flags: Vec::new() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-w" || a == "--write-out" {
            let v = it.next().ok_or_else(|| err(format!("flag needs an argument: {a}")))?;
            out.flags.push(("--write-out".into(), Some(v.clone())));
        } else if let Some(rest) = a.strip_prefix("--") {
            match rest.split_once('=') {
                Some((k, v)) => out.flags.push((format!("--{k}"), Some(v.to_string()))),
                None if TLS_FLAGS.contains(&a.as_str())
                    || a == "--endpoints"
                    || a == "--consistency"
                    || a == "--rev"
                    || a == "--limit" =>
                {
                    let v = it.next().ok_or_else(|| err(format!("flag needs an argument: {a}")))?;
                    out.flags.push((a.clone(), Some(v.clone())));
                }
                None => out.flags.push((a.clone(), None)),
            }
        } else if let Some(w) = a.strip_prefix("-w=") {
            out.flags.push(("--write-out".into(), Some(w.to_string())));
        } else {
            out.positional.push(a.clone());
        }
    }
    Ok(out)
}

/// Lease IDs are written in hex, as etcdctl prints them (`694d5765fc71500b`).
fn parse_lease_id(s: &str) -> Result<u64, ParseError> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16)
        .map_err(|_| err(format!("bad lease ID ({:?}), expecting ID in Hex", printable(s))))
}

fn not_yet_format(format: &str) -> ParseError {
    Text::new(
        format!("Error: 이 명령의 -w {format} 출력은 이 랩에서 아직 지원하지 않습니다"),
        format!("Error: -w {format} for this command is not simulated in the lab yet"),
    )
}

fn err(msg: String) -> ParseError {
    Text::same(format!("Error: {msg}"))
}

/// The member an `--endpoints` value reaches: `https://127.0.0.1:2379` (the member on this
/// node, etcd-1), or a member's name in the host part (`etcd-2`, `…-control-plane2:2379`).
fn endpoint(v: &str) -> Result<Option<MemberRef>, ParseError> {
    endpoint_one(v.split(',').next().unwrap_or(""))
}

fn endpoint_one(first: &str) -> Result<Option<MemberRef>, ParseError> {
    let host = first.split_once("://").map_or(first, |(_, h)| h);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if host == "127.0.0.1" || host == "localhost" {
        return Ok(None);
    }
    if host.is_empty() {
        return Err(err("--endpoints needs an address".into()));
    }
    Ok(Some(member_ref(host)))
}

pub(super) fn parse(args: &[String]) -> Result<Command, ParseError> {
    let a = split_args(args)?;
    let mut via = None;
    let mut endpoints_raw: Option<String> = None;
    let mut cluster = false;
    let mut format = GetFormat::Simple;
    let mut json = false;
    let mut table = false;
    let mut lease = 0u64;
    let (mut once, mut with_keys) = (false, false);
    let (mut prefix, mut keys_only, mut values_only, mut serializable) = (false, false, false, false);
    let (mut rev, mut limit) = (0u64, 0usize);
    for (k, v) in &a.flags {
        let v = v.as_deref();
        match (k.as_str(), v) {
            ("--endpoints", Some(v)) => {
                via = endpoint(v)?;
                endpoints_raw = Some(v.to_string());
            }
            ("--cluster", None) => cluster = true,
            (f, Some(path)) if TLS_FLAGS.contains(&f) => {
                if path.is_empty() {
                    return Err(err(format!("{f} needs a value")));
                }
            }
            ("--insecure-skip-tls-verify" | "--insecure-transport", _) => {}
            ("--write-out", Some("json")) => json = true,
            ("--write-out", Some("simple")) => json = false,
            ("--write-out", Some("table")) => table = true,
            ("--physical", _) => {}
            ("--lease", Some(id)) => lease = parse_lease_id(id)?,
            ("--once", None) => once = true,
            ("--keys", None) => with_keys = true,
            ("--write-out", Some(other)) => {
                return Err(Text::new(
                    format!(
                        "Error: 출력 형식 \"{}\"은(는) 이 랩에서 아직 지원하지 않습니다 (simple, json)",
                        printable(other)
                    ),
                    format!("Error: output format \"{}\" is not simulated yet (simple, json)", printable(other)),
                ))
            }
            ("--prefix", None) => prefix = true,
            ("--keys-only", None) => keys_only = true,
            ("--print-value-only", None) => values_only = true,
            ("--consistency", Some("s")) => serializable = true,
            ("--consistency", Some("l")) => serializable = false,
            ("--consistency", Some(other)) => {
                return Err(err(format!("unknown consistency flag {:?}", printable(other))))
            }
            ("--rev", Some(n)) => {
                rev = n.parse().map_err(|_| err(format!("invalid argument {:?} for \"--rev\" flag", printable(n))))?
            }
            ("--limit", Some(n)) => {
                limit =
                    n.parse().map_err(|_| err(format!("invalid argument {:?} for \"--limit\" flag", printable(n))))?
            }
            (f, _) => return Err(err(format!("unknown flag: {}", printable(f)))),
        }
    }
    if json {
        format = GetFormat::Json;
    } else if keys_only {
        format = GetFormat::KeysOnly;
    } else if values_only {
        format = GetFormat::ValuesOnly;
    }
    let Some((sub, rest)) = a.positional.split_first() else {
        return Err(Text::new(
            "etcdctl: 하위 명령이 필요합니다 (put, get, del)",
            "etcdctl: missing command (put, get, del)",
        ));
    };
    let key_ok = |k: &str| {
        if k.len() > KEY_BYTES_MAX {
            Err(err(format!("key is longer than the lab's limit ({KEY_BYTES_MAX} bytes)")))
        } else {
            Ok(())
        }
    };
    let range = |rest: &[String], prefix: bool| -> Result<KeyRange, ParseError> {
        match rest {
            [k] if prefix => Ok(KeyRange::Prefix(Rc::from(k.as_str()))),
            [k] => Ok(KeyRange::Key(Rc::from(k.as_str()))),
            [k, end] if !prefix => Ok(KeyRange::Range(Rc::from(k.as_str()), Rc::from(end.as_str()))),
            _ => Err(err(format!("{sub} command needs one argument as key and an optional argument as range_end"))),
        }
    };
    let op = match sub.as_str() {
        "get" | "del" | "delete" | "put" | "compact" if table => return Err(not_yet_format("table")),
        "member" if json => return Err(not_yet_format("json")),
        "put" => match rest {
            [k, v] => {
                key_ok(k)?;
                if v.len() > VALUE_BYTES_MAX {
                    return Err(err(format!("value is longer than the lab's limit ({VALUE_BYTES_MAX} bytes)")));
                }
                ClientOp::Put { key: Rc::from(k.as_str()), value: Rc::from(v.as_str()), lease }
            }
            _ => return Err(err("put command needs 1 argument and input from stdin or 2 arguments".into())),
        },
        "get" => {
            let r = range(rest, prefix)?;
            ClientOp::Get(GetQuery { range: r, rev, limit, serializable, format })
        }
        "del" | "delete" => ClientOp::Delete { range: range(rest, prefix)? },
        "compact" => match rest {
            [n] => {
                ClientOp::Compact { revision: n.parse().map_err(|_| err(format!("bad revision {:?}", printable(n))))? }
            }
            _ => return Err(err("compact command needs 1 argument".into())),
        },
        "member" if rest.first().is_some_and(|s| s == "list") => ClientOp::MemberList { table },
        "endpoint" if matches!(rest, [s] if s == "status" || s == "health") => {
            let status = rest[0] == "status";
            if json {
                return Err(not_yet_format("json"));
            }
            let raw = endpoints_raw.unwrap_or_else(|| "127.0.0.1:2379".to_string());
            let mut endpoints = Vec::new();
            for e in raw.split(',').filter(|e| !e.is_empty()).take(crate::sim::network::MEMBERS_MAX as usize) {
                endpoints.push((endpoint_one(e)?, e.to_string()));
            }
            return Ok(Command::EtcdEndpoints { status, endpoints, cluster, table });
        }
        "move-leader" => {
            let [id] = rest else {
                return Err(err("move-leader command needs 1 argument".into()));
            };
            let target = u64::from_str_radix(id, 16)
                .map_err(|_| err(format!("failed to parse member ID {:?}", printable(id))))?;
            let raw = endpoints_raw.unwrap_or_else(|| "127.0.0.1:2379".to_string());
            let mut endpoints = Vec::new();
            for e in raw.split(',').filter(|e| !e.is_empty()).take(crate::sim::network::MEMBERS_MAX as usize) {
                endpoints.push((endpoint_one(e)?, e.to_string()));
            }
            return Ok(Command::MoveLeader { endpoints, target });
        }
        "lease" => match rest {
            [g, ttl] if g == "grant" => {
                let ttl_s: u64 = ttl.parse().map_err(|_| err(format!("bad TTL ({:?})", printable(ttl))))?;
                // etcd raises a TTL below its minimum (1.5 × election timeout) to the minimum.
                ClientOp::LeaseGrant { ttl_s: ttl_s.clamp(crate::world::LEASE_TTL_S_MIN, crate::world::LEASE_TTL_S_MAX) }
            }
            [r, id] if r == "revoke" => ClientOp::LeaseRevoke { id: parse_lease_id(id)? },
            [t, id] if t == "timetolive" => ClientOp::LeaseTimeToLive { id: parse_lease_id(id)?, keys: with_keys },
            [k, id] if k == "keep-alive" && once => ClientOp::LeaseKeepAlive { id: parse_lease_id(id)? },
            [k, _] if k == "keep-alive" => {
                return Err(Text::new(
                    "etcdctl lease keep-alive: 계속 실행되는 스트림은 아직 없습니다 — --once를 쓰세요",
                    "etcdctl lease keep-alive: streams are not simulated yet — use --once",
                ))
            }
            _ => {
                return Err(Text::new(
                    "etcdctl lease: grant TTL | revoke ID | timetolive ID [--keys] | keep-alive --once ID",
                    "etcdctl lease: grant TTL | revoke ID | timetolive ID [--keys] | keep-alive --once ID",
                ))
            }
        },
        "watch" | "txn" | "member" | "endpoint" | "snapshot" | "defrag" | "alarm"
        | "auth" | "user" | "role" | "elect" | "lock" | "version" | "check" | "make-mirror" => {
            return Err(Text::new(
                format!(
                    "etcdctl {sub}: 이 랩에서 아직 시뮬레이션하지 않습니다 (지금은 put, get, del, compact, lease, member list, endpoint status|health)"
                ),
                format!("etcdctl {sub}: not simulated in the lab yet (for now: put, get, del, compact, lease, member list, endpoint status|health)"),
            ))
        }
        other => {
            return Err(Text::same(format!(
                "Error: unknown command \"{}\" for \"etcdctl\"\nRun 'etcdctl --help' for usage.",
                printable(other)
            )))
        }
    };
    Ok(Command::Etcd { endpoint: via, op })
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_line;
    use super::*;

    #[test]
    fn the_handouts_flags_are_accepted() {
        let line = "etcdctl get /registry/pods/default/ --prefix --keys-only --endpoints=https://127.0.0.1:2379 \
                    --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt \
                    --key=/etc/kubernetes/pki/etcd/server.key";
        let Ok(Command::Etcd { endpoint, op: ClientOp::Get(q) }) = parse_line(line) else { panic!("did not parse") };
        assert_eq!(endpoint, None);
        assert_eq!(q.range, KeyRange::Prefix(Rc::from("/registry/pods/default/")));
        assert_eq!(q.format, GetFormat::KeysOnly);
        assert!(!q.serializable);
    }

    #[test]
    fn forms_and_errors() {
        assert!(matches!(parse_line("etcdctl put foo bar"), Ok(Command::Etcd { op: ClientOp::Put { .. }, .. })));
        assert!(matches!(
            parse_line("etcdctl --endpoints=etcd-3:2379 get foo --consistency=s -w json"),
            Ok(Command::Etcd {
                endpoint: Some(MemberRef::Named(_)),
                op: ClientOp::Get(GetQuery { serializable: true, format: GetFormat::Json, .. })
            })
        ));
        assert_eq!(
            parse_line("etcdctl put onlykey").unwrap_err().en,
            "Error: put command needs 1 argument and input from stdin or 2 arguments"
        );
        assert!(parse_line("etcdctl frob")
            .unwrap_err()
            .en
            .starts_with("Error: unknown command \"frob\" for \"etcdctl\""));
        assert!(parse_line("etcdctl get").is_err());
        assert!(parse_line("etcdctl get foo --rev=x").is_err());
        assert!(parse_line("etcdctl get foo -w yaml").is_err());
    }
}
