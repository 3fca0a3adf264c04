//! `etcdctl` (v3.5) as the class types it: global flags (`--endpoints`, the TLS files), then
//! `put`, `get`, `del`, `watch`, `txn`, …. Errors read like etcdctl's own (`Error: …`).

use std::rc::Rc;

use super::{member_ref, printable, tokenize, Command, MemberRef, ParseError, KEY_BYTES_MAX, VALUE_BYTES_MAX};
use crate::etcd::client::{ClientOp, GetFormat, GetQuery};
use crate::etcd::mvcc::{Compare, CompareOp, CompareTarget, KeyRange, TxnOp, TxnRequest};
use crate::i18n::Text;

/// etcd's `--max-txn-ops` default (facts §1.1): more compares, or more requests in a branch, are
/// refused with `etcdserver: too many operations in txn request`.
pub const TXN_OPS_MAX: usize = 128;

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
                    || a == "--peer-urls"
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
    // `txn`'s one-line form: the words after `--then` and after `--else` are requests, each one
    // line of etcdctl's stdin, so they are taken out before the flags are read.
    let then_at = args.iter().position(|w| w == "--then");
    let else_at = args.iter().position(|w| w == "--else");
    let head_end = then_at.into_iter().chain(else_at).min().unwrap_or(args.len());
    let branch = |at: Option<usize>| -> Vec<String> {
        let Some(at) = at else { return Vec::new() };
        args[at + 1..].iter().take_while(|w| *w != "--then" && *w != "--else").cloned().collect()
    };
    let (then_ops, else_ops) = (branch(then_at), branch(else_at));
    let a = split_args(&args[..head_end])?;
    let mut via = None;
    let mut endpoints_raw: Option<String> = None;
    let mut cluster = false;
    let mut format = GetFormat::Simple;
    let mut json = false;
    let mut table = false;
    let mut lease = 0u64;
    let (mut once, mut with_keys, mut prev_kv) = (false, false, false);
    let mut learner = false;
    let mut peer_urls: Option<String> = None;
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
            ("--learner", None) => learner = true,
            ("--peer-urls", Some(urls)) => {
                if urls.is_empty() || urls.len() > 256 {
                    return Err(err("member peer urls not provided".into()));
                }
                peer_urls = Some(urls.to_string());
            }
            ("--keys", None) => with_keys = true,
            ("--prev-kv", None) => prev_kv = true,
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
            "etcdctl: 하위 명령이 필요합니다 (put, get, del, watch, txn)",
            "etcdctl: missing command (put, get, del, watch, txn)",
        ));
    };
    if head_end < args.len() && sub != "txn" {
        return Err(err(format!("unknown flag: {}", args[head_end])));
    }
    if prev_kv && sub != "watch" {
        return Err(Text::new(
            "Error: 이 랩에서 --prev-kv는 watch에만 있습니다",
            "Error: the lab simulates --prev-kv for watch only",
        ));
    }
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
        "watch" => {
            if json || table {
                return Err(not_yet_format(if json { "json" } else { "table" }));
            }
            // etcd v3.5 `etcdctl/ctlv3/command/watch_command.go` `getWatchChan`.
            let range = match rest {
                [] => return Err(err("bad number of arguments".into())),
                [_, _] if prefix => return Err(err("`range_end` and `--prefix` are mutually exclusive".into())),
                [k] | [k, _] => {
                    key_ok(k)?;
                    range(rest, prefix)?
                }
                _ => return Err(err("bad number of arguments".into())),
            };
            return Ok(Command::EtcdWatch { endpoint: via, range, rev, prev_kv });
        }
        "txn" => {
            if json || table {
                return Err(not_yet_format(if json { "json" } else { "table" }));
            }
            ClientOp::Txn(Rc::new(parse_txn(rest, &then_ops, &else_ops)?))
        }
        "compact" => match rest {
            [n] => {
                ClientOp::Compact { revision: n.parse().map_err(|_| err(format!("bad revision {:?}", printable(n))))? }
            }
            _ => return Err(err("compact command needs 1 argument".into())),
        },
        "member" if rest.first().is_some_and(|s| s == "list") => ClientOp::MemberList { table },
        "member" if rest.first().is_some_and(|s| s == "add") => {
            let [_, name] = rest else {
                return Err(err("member name not provided".into()));
            };
            let Some(peer_url) = peer_urls.clone() else {
                return Err(err("member peer urls not provided".into()));
            };
            ClientOp::MemberAdd { name: name.clone(), peer_url, learner, member: 0 }
        }
        "member" if rest.first().is_some_and(|s| s == "promote" || s == "remove") => {
            let [verb, id] = rest else {
                return Err(err("member ID is not provided".into()));
            };
            let id = u64::from_str_radix(id, 16)
                .map_err(|_| err(format!("bad member ID arg (strconv.ParseUint: parsing {:?}: invalid syntax)", printable(id))))?;
            if verb == "promote" {
                ClientOp::MemberPromote { id }
            } else {
                ClientOp::MemberRemove { id }
            }
        }
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
        "member" | "endpoint" | "snapshot" | "defrag" | "alarm"
        | "auth" | "user" | "role" | "elect" | "lock" | "version" | "check" | "make-mirror" => {
            return Err(Text::new(
                format!(
                    "etcdctl {sub}: 이 랩에서 아직 시뮬레이션하지 않습니다 (지금은 put, get, del, watch, txn, compact, lease, member list, endpoint status|health)"
                ),
                format!("etcdctl {sub}: not simulated in the lab yet (for now: put, get, del, watch, txn, compact, lease, member list, endpoint status|health)"),
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

/// How to write a transaction on one line, shown with every txn usage error.
fn txn_usage() -> ParseError {
    Text::new(
        "etcdctl txn: 한 줄 형식: etcdctl txn '비교' … --then '요청' … --else '요청' …\n\
         (따옴표로 감싼 조각 하나가 etcdctl txn이 stdin에서 읽는 한 줄; --then, --else는 빈 줄 자리)\n\
         예: etcdctl txn 'mod(\"/k\") = \"5\"' --then 'put /k v2' --else 'get /k'",
        "etcdctl txn: one-line form: etcdctl txn 'COMPARE' … --then 'REQUEST' … --else 'REQUEST' …\n\
         (each quoted part is one line etcdctl txn reads from stdin; --then and --else stand for the blank lines)\n\
         e.g. etcdctl txn 'mod(\"/k\") = \"5\"' --then 'put /k v2' --else 'get /k'",
    )
}

/// The lab's one-line `txn`: each compare and request is the line etcdctl would read from
/// stdin (etcd v3.5 `etcdctl/ctlv3/command/txn_command.go`: compares, a blank line, success
/// requests, a blank line, failure requests), parsed with the same grammar and errors.
fn parse_txn(compares: &[String], then_ops: &[String], else_ops: &[String]) -> Result<TxnRequest, ParseError> {
    if compares.iter().any(|c| c == "-i" || c == "--interactive") {
        return Err(txn_usage());
    }
    if compares.is_empty() && then_ops.is_empty() && else_ops.is_empty() {
        return Err(txn_usage());
    }
    if compares.len().max(then_ops.len()).max(else_ops.len()) > TXN_OPS_MAX {
        return Err(err("etcdserver: too many operations in txn request".into()));
    }
    let compares = compares.iter().map(|c| parse_compare(c.trim())).collect::<Result<Vec<_>, _>>()?;
    let success = then_ops.iter().map(|o| parse_txn_op(o.trim())).collect::<Result<Vec<_>, _>>()?;
    let failure = else_ops.iter().map(|o| parse_txn_op(o.trim())).collect::<Result<Vec<_>, _>>()?;
    Ok(TxnRequest { compares, success, failure })
}

/// Reads a Go `%q` string (double-quoted with backslash escapes, or back-quoted) at the start
/// of `s`; returns it and the rest.
fn go_quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.char_indices();
    match chars.next()? {
        (_, '`') => {
            let end = s[1..].find('`')? + 1;
            Some((s[1..end].to_string(), &s[end + 1..]))
        }
        (_, '"') => {
            let mut out = String::new();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => return Some((out, &s[i + 1..])),
                    '\\' => match chars.next()?.1 {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        e @ ('"' | '\\' | '\'') => out.push(e),
                        _ => return None,
                    },
                    c => out.push(c),
                }
            }
            None
        }
        _ => None,
    }
}

/// A string as Go's `%q` prints it (for etcdctl's "got …" error).
fn go_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One compare line, `TARGET("KEY") OP "VALUE"` (etcd v3.5 `txn_command.go` `ParseCompare`:
/// `fmt.Sscanf(rest, "%q) %s %q", …)`).
fn parse_compare(line: &str) -> Result<Compare, ParseError> {
    parse_compare_etcd(line).map_err(|e| {
        if !e.en.starts_with("Error: malformed comparison") || line.contains('"') {
            return e;
        }
        // The likely slip: the shell ate the double quotes because the compare was not inside
        // single quotes.
        Text::new(
            format!("{}\nlab: 비교 하나를 통째로 작은따옴표로 감싸세요, 예: 'mod(\"/k\") = \"5\"'", e.ko),
            format!("{}\nlab: put each whole compare in single quotes, e.g. 'mod(\"/k\") = \"5\"'", e.en),
        )
    })
}

fn parse_compare_etcd(line: &str) -> Result<Compare, ParseError> {
    let malformed = || err(format!("malformed comparison: {}", printable(line)));
    let (target, rest) = line.split_once('(').ok_or_else(malformed)?;
    // Sscanf stops at the first verb that does not match; the error names what it got so far.
    let (mut key, mut op, mut val) = (String::new(), String::new(), String::new());
    let mut n = 0;
    if let Some((k, after)) = go_quoted(rest) {
        key = k;
        if let Some(after) = after.strip_prefix(')') {
            let after = after.trim_start();
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            n = 1;
            if end > 0 {
                op = after[..end].to_string();
                n = 2;
                if let Some((v, tail)) = go_quoted(after[end..].trim_start()) {
                    val = v;
                    n = if tail.trim().is_empty() { 3 } else { 2 };
                }
            }
        }
    }
    if n != 3 {
        return Err(err(format!(
            "malformed comparison: {}; got {}({}) {} {}",
            printable(line),
            printable(target),
            printable(&go_quote(&key)),
            printable(&op),
            printable(&go_quote(&val))
        )));
    }
    if key.len() > KEY_BYTES_MAX || val.len() > VALUE_BYTES_MAX {
        return Err(err(format!(
            "key or value is longer than the lab's limit ({KEY_BYTES_MAX} / {VALUE_BYTES_MAX} bytes)"
        )));
    }
    let number = || -> Result<u64, ParseError> {
        val.parse().map_err(|_| err(format!("invalid txn compare request: {}", printable(line))))
    };
    let target = match target {
        "ver" | "version" => CompareTarget::Version(number()?),
        "c" | "create" => CompareTarget::CreateRevision(number()?),
        "m" | "mod" => CompareTarget::ModRevision(number()?),
        "val" | "value" => CompareTarget::Value(Rc::from(val.as_str())),
        "lease" => {
            return Err(Text::new(
                "etcdctl txn: lease 비교는 이 랩에서 아직 시뮬레이션하지 않습니다 (mod, create, version, value)",
                "etcdctl txn: lease compares are not simulated in the lab yet (mod, create, version, value)",
            ))
        }
        other => {
            return Err(err(format!("malformed comparison: {} (unknown target {})", printable(line), printable(other))))
        }
    };
    // etcd's clientv3.Compare panics on any other operator; the lab says which ones exist.
    let op = match op.as_str() {
        "=" => CompareOp::Equal,
        "!=" => CompareOp::NotEqual,
        "<" => CompareOp::Less,
        ">" => CompareOp::Greater,
        other => {
            return Err(Text::new(
                format!(
                    "Error: malformed comparison: {} (비교 연산자 {}는 없습니다: =, !=, <, >)",
                    printable(line),
                    printable(other)
                ),
                format!(
                    "Error: malformed comparison: {} (no operator {}: use =, !=, <, >)",
                    printable(line),
                    printable(other)
                ),
            ))
        }
    };
    Ok(Compare { key: Rc::from(key.as_str()), target, op })
}

/// One request line: `put KEY VALUE`, `get KEY [RANGE_END] [--prefix]`, `del KEY [RANGE_END]
/// [--prefix]` (etcd v3.5 `txn_command.go` `parseRequestUnion`, which runs etcdctl's own
/// put/get/del parsers on the line).
fn parse_txn_op(line: &str) -> Result<TxnOp, ParseError> {
    let words = tokenize(line)?;
    if words.len() < 2 {
        return Err(err(format!("invalid txn compare request: {}", printable(line))));
    }
    let invalid = || err(format!("invalid txn request: {}", printable(line)));
    let prefix = words[1..].iter().any(|w| w == "--prefix");
    let args: Vec<&String> = words[1..].iter().filter(|w| *w != "--prefix").collect();
    if args.iter().any(|w| w.starts_with("--")) {
        return Err(invalid());
    }
    if args.first().is_some_and(|k| k.len() > KEY_BYTES_MAX) {
        return Err(err(format!("key is longer than the lab's limit ({KEY_BYTES_MAX} bytes)")));
    }
    let range = || match args.as_slice() {
        [k] if prefix => Ok(KeyRange::Prefix(Rc::from(k.as_str()))),
        [k] => Ok(KeyRange::Key(Rc::from(k.as_str()))),
        [k, end] if !prefix => Ok(KeyRange::Range(Rc::from(k.as_str()), Rc::from(end.as_str()))),
        _ => Err(invalid()),
    };
    match words[0].as_str() {
        "put" => match args.as_slice() {
            [k, v] if !prefix => {
                if v.len() > VALUE_BYTES_MAX {
                    return Err(err(format!("value is longer than the lab's limit ({VALUE_BYTES_MAX} bytes)")));
                }
                Ok(TxnOp::Put { key: Rc::from(k.as_str()), value: Rc::from(v.as_str()), lease: 0 })
            }
            _ => Err(invalid()),
        },
        "get" => Ok(TxnOp::Get(range()?)),
        "del" | "delete" => Ok(TxnOp::Delete(range()?)),
        _ => Err(invalid()),
    }
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

    #[test]
    fn watch_forms() {
        // etcd v3.5 etcdctl/ctlv3/command/watch_command.go: key, optional range end, --prefix,
        // --rev, --prev-kv; range end and --prefix exclude each other.
        assert_eq!(
            parse_line("etcdctl --endpoints=etcd-2:2379 watch /registry/pods/ --prefix --rev 5 --prev-kv"),
            Ok(Command::EtcdWatch {
                endpoint: Some(MemberRef::Named("etcd-2".into())),
                range: KeyRange::Prefix(Rc::from("/registry/pods/")),
                rev: 5,
                prev_kv: true
            })
        );
        assert!(matches!(
            parse_line("etcdctl watch a c"),
            Ok(Command::EtcdWatch { range: KeyRange::Range(..), rev: 0, prev_kv: false, .. })
        ));
        assert_eq!(parse_line("etcdctl watch").unwrap_err().en, "Error: bad number of arguments");
        assert_eq!(
            parse_line("etcdctl watch a c --prefix").unwrap_err().en,
            "Error: `range_end` and `--prefix` are mutually exclusive"
        );
        assert!(parse_line("etcdctl get a --prev-kv").is_err());
        assert_eq!(parse_line("^C"), Ok(Command::Interrupt));
        assert!(parse_line("^C now").is_err());
    }

    #[test]
    fn txn_one_line_form_maps_to_etcdctls_stdin_grammar() {
        // etcd v3.5 txn_command.go: compares `TARGET("KEY") OP "VALUE"`; requests put/get/del.
        let Ok(Command::Etcd { op: ClientOp::Txn(t), .. }) = parse_line(
            r#"etcdctl txn 'mod("/k") = "5"' 'value("/v") != "x"' --then 'put /k v2' 'get /k' --else 'del /p --prefix'"#,
        ) else {
            panic!("txn did not parse")
        };
        assert_eq!(
            t.compares,
            [
                Compare { key: Rc::from("/k"), target: CompareTarget::ModRevision(5), op: CompareOp::Equal },
                Compare { key: Rc::from("/v"), target: CompareTarget::Value(Rc::from("x")), op: CompareOp::NotEqual },
            ]
        );
        assert_eq!(
            t.success,
            [
                TxnOp::Put { key: Rc::from("/k"), value: Rc::from("v2"), lease: 0 },
                TxnOp::Get(KeyRange::Key(Rc::from("/k")))
            ]
        );
        assert_eq!(t.failure, [TxnOp::Delete(KeyRange::Prefix(Rc::from("/p")))]);
        // Short target names and back-quoted strings, as Go's %q reads them.
        let Ok(Command::Etcd { op: ClientOp::Txn(t), .. }) =
            parse_line("etcdctl txn 'c(`k`) > \"1\"' 'ver(\"k\") < \"3\"'")
        else {
            panic!("txn did not parse")
        };
        assert_eq!(t.compares[0].target, CompareTarget::CreateRevision(1));
        assert_eq!(t.compares[1].op, CompareOp::Less);
        assert_eq!(
            parse_line("etcdctl txn 'mod(\"k\") = \"x\"'").unwrap_err().en,
            r#"Error: invalid txn compare request: mod("k") = "x""#
        );
        assert_eq!(
            parse_line("etcdctl txn 'frob(\"k\") = \"1\"'").unwrap_err().en,
            r#"Error: malformed comparison: frob("k") = "1" (unknown target frob)"#
        );
        assert_eq!(parse_line("etcdctl txn --then 'put k'").unwrap_err().en, "Error: invalid txn request: put k");
        assert_eq!(parse_line("etcdctl txn --then put").unwrap_err().en, "Error: invalid txn compare request: put");
        let many = format!(
            "etcdctl txn --then {}",
            (0..=TXN_OPS_MAX).map(|i| format!("'get k{i}'")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(parse_line(&many).unwrap_err().en, "Error: etcdserver: too many operations in txn request");
    }
}
