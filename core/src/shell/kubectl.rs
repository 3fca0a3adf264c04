//! `kubectl`'s client-side commands: `config current-context|get-contexts|use-context|view
//! --minify`, `auth can-i` and `create token` (the class's Part 2 commands). The commands that are
//! one API request are in `kubectl_objects`; anything else gets a clear "not simulated yet".

use super::{printable, Command, ParseError};
use crate::i18n::Text;

/// `kubectl create token SERVICEACCOUNT [-n NS] [--duration D]` (a TokenRequest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateToken {
    pub service_account: String,
    pub namespace: Option<String>,
    pub duration_s: u64,
}

/// `kubectl logs [-n NS] [-f] POD [-c CONTAINER] [--tail=N]` (flags in any order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logs {
    /// `-n`; `None`: the context's namespace.
    pub namespace: Option<String>,
    pub pod: String,
    /// `-f` / `--follow`: keep streaming until `^C`.
    pub follow: bool,
    /// `-c`; `None`: the pod's default (first) container.
    pub container: Option<String>,
    /// `--tail=N`: the last N lines only (`None`: all; kubectl's -1).
    pub tail_lines: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigCmd {
    CurrentContext,
    GetContexts,
    UseContext(String),
    ViewMinify,
}

/// `kubectl auth can-i VERB TYPE[/NAME] | NONRESOURCEURL [flags]`, or `--list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanI {
    pub verb: String,
    /// A resource as typed (`pods`, `deploy`, `deployments.apps`), or a path starting with `/`.
    pub target: String,
    pub name: Option<String>,
    pub subresource: String,
    /// `-n NS`; `None`: the context's namespace.
    pub namespace: Option<String>,
    /// `-A` / `--all-namespaces`: ask cluster-wide.
    pub all_namespaces: bool,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub list: bool,
    pub no_headers: bool,
    /// `--token`: authenticate with this bearer token instead of the context's credential.
    pub token: Option<String>,
}

/// The kubectl commands the lab runs so far.
const SIMULATED: &str =
    "get, describe, create, run, delete, label, scale, cordon, uncordon, drain, rollout, set image, logs, exec, proxy, config, auth can-i, create token";

fn err(msg: String) -> ParseError {
    Text::same(format!("error: {msg}"))
}

pub(super) fn parse(args: &[String]) -> Result<Command, ParseError> {
    if let Some((sub, rest)) = args.split_first() {
        if let Some(parsed) = super::kubectl_objects::parse(sub, rest) {
            return parsed;
        }
        if let Some(parsed) = super::kubectl_steps::parse(sub, rest) {
            return parsed;
        }
    }
    match args {
        [c, rest @ ..] if c == "config" => parse_config(rest),
        [a, c, rest @ ..] if a == "auth" && c == "can-i" => parse_can_i(rest),
        [a, t, rest @ ..] if a == "create" && t == "token" => parse_create_token(rest),
        [e, rest @ ..] if e == "exec" => super::exec::parse(rest),
        [l, rest @ ..] if l == "logs" => parse_logs(rest),
        [p, rest @ ..] if p == "proxy" => super::curl::parse_proxy(rest),
        [] => Err(Text::new(
            format!("kubectl: 하위 명령이 필요합니다 ({SIMULATED})"),
            format!("kubectl: missing command ({SIMULATED})"),
        )),
        [other, ..] => Err(Text::new(
            format!("kubectl {}: 이 랩에서 아직 시뮬레이션하지 않습니다 ({SIMULATED})", printable(other)),
            format!("kubectl {}: not simulated in the lab yet ({SIMULATED})", printable(other)),
        )),
    }
}

fn parse_logs(args: &[String]) -> Result<Command, ParseError> {
    let mut l = Logs { namespace: None, pod: String::new(), follow: false, container: None, tail_lines: None };
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| err(format!("flag needs an argument: {flag}")))
        };
        match flag {
            "-n" | "--namespace" => l.namespace = Some(value()?),
            "-c" | "--container" => l.container = Some(value()?),
            "-f" | "--follow" => l.follow = true,
            "--tail" => {
                let v = value()?;
                let n: i64 = v.parse().map_err(|_| {
                    err(format!(
                        "invalid argument \"{0}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
                        printable(&v)
                    ))
                })?;
                // kubectl: -1 (the default) means every line.
                l.tail_lines = u64::try_from(n).ok();
            }
            f if f.starts_with('-') => return Err(err(format!("unknown flag: {}", printable(f)))),
            _ => names.push(a.clone()),
        }
    }
    match names.as_slice() {
        [pod] => l.pod = pod.strip_prefix("pod/").or_else(|| pod.strip_prefix("pods/")).unwrap_or(pod).to_string(),
        [] => return Err(err("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples".into())),
        [pod, c] if l.container.is_none() => {
            // kubectl logs POD CONTAINER (the old positional form).
            l.pod = pod.clone();
            l.container = Some(c.clone());
        }
        _ => return Err(err("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nSee 'kubectl logs -h' for help and examples".into())),
    }
    Ok(Command::Logs(l))
}

fn parse_config(args: &[String]) -> Result<Command, ParseError> {
    let cmd = match args {
        [c] if c == "current-context" => ConfigCmd::CurrentContext,
        [c] if c == "get-contexts" => ConfigCmd::GetContexts,
        [c, name] if c == "use-context" => ConfigCmd::UseContext(name.clone()),
        [c] if c == "use-context" => return Err(err("Unexpected args: []".into())),
        [c, m] if c == "view" && m == "--minify" => ConfigCmd::ViewMinify,
        [m, c] if c == "view" && m == "--minify" => ConfigCmd::ViewMinify,
        _ => return Err(Text::new(
            "kubectl config: 이 랩은 current-context, get-contexts, use-context NAME, view --minify를 시뮬레이션합니다",
            "kubectl config: the lab simulates current-context, get-contexts, use-context NAME, view --minify",
        )),
    };
    Ok(Command::KubectlConfig(cmd))
}

fn parse_create_token(args: &[String]) -> Result<Command, ParseError> {
    let mut t = CreateToken { service_account: String::new(), namespace: None, duration_s: 3600 };
    let mut it = args.iter();
    let mut names = Vec::new();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| err(format!("flag needs an argument: {flag}")))
        };
        match flag {
            "-n" | "--namespace" => t.namespace = Some(value()?),
            "--duration" => {
                let v = value()?;
                // The API server allows 10 minutes to 48 hours here (the lab's bound).
                t.duration_s = super::parse_duration_us(&v)
                    .map(|us| us / crate::sim::US_PER_S)
                    .filter(|s| (600..=48 * 3600).contains(s))
                    .ok_or_else(|| {
                        err(format!("invalid argument {:?} for \"--duration\" flag (10m to 48h)", printable(&v)))
                    })?;
            }
            f if f.starts_with('-') => return Err(err(format!("unknown flag: {}", printable(f)))),
            _ => names.push(a.clone()),
        }
    }
    match names.as_slice() {
        [name] => t.service_account = name.clone(),
        _ => return Err(err("exactly one NAME is required, got 0".into())),
    }
    Ok(Command::CreateToken(t))
}

fn parse_can_i(args: &[String]) -> Result<Command, ParseError> {
    let mut c = CanI {
        verb: String::new(),
        target: String::new(),
        name: None,
        subresource: String::new(),
        namespace: None,
        all_namespaces: false,
        as_user: None,
        as_groups: Vec::new(),
        list: false,
        no_headers: false,
        token: None,
    };
    let mut positional: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, ParseError> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it.next().cloned().ok_or_else(|| err(format!("flag needs an argument: {name}"))),
            }
        };
        match flag {
            "-n" | "--namespace" => c.namespace = Some(value(flag)?),
            "-A" | "--all-namespaces" => c.all_namespaces = true,
            "--as" => c.as_user = Some(value(flag)?),
            "--as-group" => c.as_groups.push(value(flag)?),
            "--list" => c.list = true,
            "--no-headers" => c.no_headers = true,
            "--subresource" => c.subresource = value(flag)?,
            "--token" => c.token = Some(value(flag)?),
            "-q" | "--quiet" => {}
            f if f.starts_with('-') => return Err(err(format!("unknown flag: {}", printable(f)))),
            _ => positional.push(a.clone()),
        }
        if positional.len() > 3 {
            return Err(err(
                "you must specify two or three arguments: verb, resource, and optional resourceName".into()
            ));
        }
    }
    if c.list {
        if !positional.is_empty() {
            return Err(err("list option must be specified with no arguments".into()));
        }
        return Ok(Command::CanI(c));
    }
    match positional.as_slice() {
        [verb, target] => {
            c.verb = verb.clone();
            match target.split_once('/') {
                Some((t, n)) if !target.starts_with('/') => {
                    c.target = t.to_string();
                    c.name = Some(n.to_string());
                }
                _ => c.target = target.clone(),
            }
        }
        [verb, target, name] => {
            c.verb = verb.clone();
            c.target = target.clone();
            c.name = Some(name.clone());
        }
        _ => {
            return Err(
                err("you must specify two or three arguments: verb, resource, and optional resourceName".into()),
            )
        }
    }
    Ok(Command::CanI(c))
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_line;
    use super::*;

    #[test]
    fn the_class_forms_parse() {
        let Ok(Command::CanI(c)) = parse_line("kubectl auth can-i get secrets --all-namespaces") else { panic!() };
        assert_eq!((c.verb.as_str(), c.target.as_str(), c.all_namespaces), ("get", "secrets", true));
        let Ok(Command::CanI(c)) = parse_line("kubectl auth can-i --list") else { panic!() };
        assert!(c.list);
        let Ok(Command::CanI(c)) = parse_line("kubectl auth can-i get pods/nginx -n dev --as=developer") else {
            panic!()
        };
        assert_eq!(
            (c.name.as_deref(), c.namespace.as_deref(), c.as_user.as_deref()),
            (Some("nginx"), Some("dev"), Some("developer"))
        );
        assert_eq!(parse_line("kubectl config view --minify"), Ok(Command::KubectlConfig(ConfigCmd::ViewMinify)));
        assert!(parse_line("kubectl auth can-i").is_err());
        assert!(parse_line("kubectl frobnicate pods").is_err());
    }

    #[test]
    fn logs_flags_parse_in_any_order() {
        let want = Logs {
            namespace: Some("kube-system".into()),
            pod: "etcd-x".into(),
            follow: true,
            container: None,
            tail_lines: None,
        };
        for line in [
            "kubectl logs -n kube-system -f etcd-x",
            "kubectl logs etcd-x -f -n kube-system",
            "kubectl logs --follow --namespace=kube-system pod/etcd-x",
        ] {
            assert_eq!(parse_line(line), Ok(Command::Logs(want.clone())), "{line}");
        }
        let Ok(Command::Logs(l)) = parse_line("kubectl logs web -c nginx --tail=20") else { panic!() };
        assert_eq!((l.container.as_deref(), l.tail_lines, l.follow), (Some("nginx"), Some(20), false));
        let Ok(Command::Logs(l)) = parse_line("kubectl logs web --tail=-1") else { panic!() };
        assert_eq!(l.tail_lines, None);
        assert!(parse_line("kubectl logs").is_err());
        assert!(parse_line("kubectl logs web --tail=x").is_err());
        assert!(parse_line("kubectl logs web --bogus").is_err());
    }
}
