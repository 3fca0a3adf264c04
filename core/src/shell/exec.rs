//! `kubectl exec [-n NS] [-it] POD -- COMMAND …` into the control plane's static pods, as the
//! class does: `etcdctl` inside an etcd pod talks to that node's member (`127.0.0.1:2379`), and
//! `kube-apiserver --help` prints the API server's flags. The handout's short pod names
//! (`etcd-control-plane`) resolve to the real pod with a note.

use super::{etcdctl, printable, Command, MemberRef, ParseError};
use crate::i18n::Text;

/// What runs inside the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inside {
    /// An etcdctl command, its `127.0.0.1` endpoints already pointed at the pod's member.
    Etcdctl(Box<Command>),
    /// `kube-apiserver --help` / `-h`.
    ApiServerHelp,
    /// Anything else: the container has no such executable.
    Missing(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exec {
    pub namespace: Option<String>,
    /// The pod as typed.
    pub pod: String,
    pub inside: Inside,
}

/// `etcd-challenge-cluster-control-plane2` → member 2; the handout's `etcd-control-plane` → 1.
pub fn static_pod_node(pod: &str, component: &str) -> Option<u8> {
    let node = pod.strip_prefix(component)?.strip_prefix('-')?;
    if node == "control-plane" {
        return Some(1);
    }
    crate::names::parse_member(node, crate::sim::network::MEMBERS_MAX)
}

/// The handout's short names for the first control-plane node's static pods.
pub fn expand_short_name(pod: &str) -> Option<String> {
    ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
        .iter()
        .find_map(|c| (pod == format!("{c}-control-plane")).then(|| format!("{c}-{}", crate::names::node_name(1))))
}

fn localize(cmd: Command, member: u8) -> Command {
    let here = || Some(MemberRef::Named(crate::names::member_short(member)));
    match cmd {
        Command::Etcd { endpoint: None, op } => Command::Etcd { endpoint: here(), op },
        Command::EtcdWatch { endpoint: None, range, rev, prev_kv } => {
            Command::EtcdWatch { endpoint: here(), range, rev, prev_kv }
        }
        Command::EtcdEndpoints { status, endpoints, cluster, table } => Command::EtcdEndpoints {
            status,
            endpoints: endpoints.into_iter().map(|(r, raw)| (r.or_else(here), raw)).collect(),
            cluster,
            table,
        },
        Command::MoveLeader { endpoints, target } => Command::MoveLeader {
            endpoints: endpoints.into_iter().map(|(r, raw)| (r.or_else(here), raw)).collect(),
            target,
        },
        other => other,
    }
}

pub(super) fn parse(args: &[String]) -> Result<Command, ParseError> {
    let Some(dash) = args.iter().position(|a| a == "--") else {
        return Err(Text::same(
            "error: you must specify at least one command for the container (kubectl exec POD -- COMMAND)",
        ));
    };
    let (head, inner) = (&args[..dash], &args[dash + 1..]);
    let mut namespace = None;
    let mut pod = None;
    let mut it = head.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-n" | "--namespace" => namespace = it.next().cloned(),
            "-i" | "-t" | "-it" | "-ti" | "--stdin" | "--tty" => {}
            "-c" | "--container" => {
                it.next();
            }
            f if f.starts_with("--namespace=") => namespace = Some(f["--namespace=".len()..].to_string()),
            f if f.starts_with("--container=") => {}
            f if f.starts_with('-') => return Err(Text::same(format!("error: unknown flag: {}", printable(f)))),
            p if pod.is_none() => pod = Some(p.to_string()),
            _ => return Err(Text::same("error: exactly one POD is expected before --")),
        }
    }
    let pod = pod.ok_or_else(|| Text::same("error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'."))?;
    let pod = pod.strip_prefix("pod/").unwrap_or(&pod).to_string();
    let full = expand_short_name(&pod).unwrap_or_else(|| pod.clone());
    let inside = match inner.split_first() {
        None => return Err(Text::same("error: you must specify at least one command for the container")),
        Some((c, rest)) if c == "etcdctl" => {
            let member = static_pod_node(&full, "etcd").ok_or_else(|| {
                Text::same(format!(
                    "OCI runtime exec failed: exec failed: unable to start container process: exec: \"etcdctl\": executable file not found in $PATH: unknown ({})",
                    printable(&full)
                ))
            })?;
            Inside::Etcdctl(Box::new(localize(etcdctl::parse(rest)?, member)))
        }
        Some((c, rest))
            if c == "kube-apiserver" && matches!(rest.first().map(String::as_str), Some("--help" | "-h")) =>
        {
            Inside::ApiServerHelp
        }
        Some((c, _)) => Inside::Missing(c.clone()),
    };
    Ok(Command::Exec(Box::new(Exec { namespace, pod, inside })))
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_line;
    use super::*;

    #[test]
    fn the_handout_exec_lines_parse() {
        let line = "kubectl exec -n kube-system etcd-control-plane -- etcdctl get /registry/pods/default/ --prefix --keys-only --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key";
        let Ok(Command::Exec(e)) = parse_line(line) else { panic!("{line}") };
        let Inside::Etcdctl(inner) = &e.inside else { panic!() };
        assert!(matches!(**inner, Command::Etcd { endpoint: Some(MemberRef::Named(ref n)), .. } if n == "etcd-1"));
        let Ok(Command::Exec(e)) =
            parse_line("kubectl exec -n kube-system etcd-challenge-cluster-control-plane3 -- etcdctl get x")
        else {
            panic!()
        };
        let Inside::Etcdctl(inner) = &e.inside else { panic!() };
        assert!(matches!(**inner, Command::Etcd { endpoint: Some(MemberRef::Named(ref n)), .. } if n == "etcd-3"));
        let Ok(Command::Exec(e)) =
            parse_line("kubectl exec -n kube-system kube-apiserver-control-plane -- kube-apiserver --help")
        else {
            panic!()
        };
        assert_eq!(e.inside, Inside::ApiServerHelp);
        assert!(parse_line("kubectl exec etcd-control-plane").is_err());
        assert_eq!(expand_short_name("etcd-control-plane").as_deref(), Some("etcd-challenge-cluster-control-plane"));
        assert_eq!(static_pod_node("etcd-challenge-cluster-control-plane2", "etcd"), Some(2));
    }
}
