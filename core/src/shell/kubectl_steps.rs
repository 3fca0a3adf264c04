//! The kubectl commands that take several API requests, one after the other:
//! `rollout status|history|undo|restart|pause|resume`, `set image` and `drain`. This module
//! parses them into [`Steps`]; the world (`world/kubectl_steps.rs`) sends the requests through
//! kind's load balancer as kubectl does and prints what kubectl prints.
//!
//! Flags and messages: KK v1.27 `staging/src/k8s.io/kubectl/pkg/cmd/rollout/*.go`,
//! `cmd/set/set_image.go`, `cmd/drain/drain.go`.

use super::kubectl_objects::{resource, split_flags_pub, Flags};
use super::{parse_duration_us, printable, Command, ParseError};
use crate::i18n::Text;
use crate::k8s::resources::ApiResource;

/// Images one `set image` may set (a bound on the line's work).
pub const IMAGES_MAX: usize = 16;

/// A kubectl command of several requests, with the flags every kubectl command takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Steps {
    pub what: Step,
    /// `-n`; `None`: the context's namespace.
    pub namespace: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub token: Option<String>,
    /// What kubectl writes to stderr before it sends anything (a deprecated flag).
    pub warning: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `kubectl rollout status deployment/NAME [-w=false] [--revision=N] [--timeout=D]`.
    RolloutStatus { name: String, watch: bool, revision: i64, timeout_us: u64 },
    /// `kubectl rollout history deployment/NAME [--revision=N]`.
    RolloutHistory { name: String, revision: i64 },
    /// `kubectl rollout undo deployment/NAME [--to-revision=N]` (0: the previous revision).
    RolloutUndo { name: String, to_revision: i64 },
    /// `kubectl rollout restart deployment/NAME`.
    RolloutRestart { name: String },
    /// `kubectl rollout pause|resume deployment/NAME`.
    RolloutPause { name: String, pause: bool },
    /// `kubectl set image TYPE/NAME CONTAINER=IMAGE … [--record]`.
    SetImage {
        resource: &'static ApiResource,
        name: String,
        images: Vec<(String, String)>,
        /// `--record`: the `kubernetes.io/change-cause` to write (the command line as kubectl
        /// rebuilds it).
        change_cause: Option<String>,
    },
    /// `kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]
    /// [--grace-period=N] [--timeout=D] [--disable-eviction]`.
    Drain(Drain),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drain {
    pub node: String,
    pub ignore_daemonsets: bool,
    pub delete_emptydir_data: bool,
    pub force: bool,
    /// `--grace-period` (-1: each pod's own).
    pub grace_period_s: i64,
    /// `--timeout` (0: wait forever).
    pub timeout_us: u64,
    /// `--disable-eviction`: DELETE the pods instead of evicting them.
    pub disable_eviction: bool,
}

fn err(msg: impl Into<String>) -> ParseError {
    Text::same(format!("error: {}", msg.into()))
}

/// `rollout`, `set` and `drain`; `None` for any other subcommand.
pub(super) fn parse(sub: &str, args: &[String]) -> Option<Result<Command, ParseError>> {
    let r = match sub {
        "rollout" => parse_rollout(args),
        "set" => parse_set(args),
        "drain" => parse_drain(args),
        _ => return None,
    };
    Some(r.map(|s| Command::KubectlSteps(Box::new(s))))
}

fn steps(what: Step, f: &mut Flags) -> Steps {
    Steps {
        what,
        namespace: f.take(&["-n", "--namespace"]),
        as_user: f.take(&["--as"]),
        as_groups: f.take_all("--as-group"),
        token: f.take(&["--token"]),
        warning: None,
    }
}

/// pflag's bool values (`strconv.ParseBool`); a bare switch is true.
fn parse_bool(flag: &str, v: &str) -> Result<bool, ParseError> {
    match v {
        "" | "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(err(format!(
            "invalid argument \"{0}\" for \"{flag}\" flag: strconv.ParseBool: parsing \"{0}\": invalid syntax",
            printable(v)
        ))),
    }
}

fn parse_int(flag: &str, v: &str) -> Result<i64, ParseError> {
    v.parse().map_err(|_| {
        err(format!(
            "invalid argument \"{0}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
            printable(v)
        ))
    })
}

/// A Go duration (`time.ParseDuration`): `0`, or numbers each with a unit, `1h30m`, `1.5s`,
/// `500ms` (the lab takes ms, s, m, h).
fn parse_go_duration_us(v: &str) -> Option<u64> {
    if v == "0" {
        return Some(0);
    }
    if v.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut rest = v;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let unit_len = rest[num_end..].find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len() - num_end);
        let unit_end = num_end + unit_len;
        if num_end == 0 || !matches!(&rest[num_end..unit_end], "ms" | "s" | "m" | "h") {
            return None;
        }
        total = total.checked_add(parse_duration_us(&rest[..unit_end])?)?;
        rest = &rest[unit_end..];
    }
    Some(total)
}

fn parse_timeout(v: &str) -> Result<u64, ParseError> {
    parse_go_duration_us(v).ok_or_else(|| {
        err(format!("invalid argument \"{0}\" for \"--timeout\" flag: time: invalid duration \"{0}\"", printable(v)))
    })
}

/// The one Deployment a rollout subcommand works on: `deployment/NAME` or `deployment NAME`.
fn rollout_target(sub: &str, words: &[String]) -> Result<String, ParseError> {
    if words.is_empty() {
        return Err(err("required resource not specified"));
    }
    let (typed, name) = match words {
        [t] => t.split_once('/').map_or((t.as_str(), ""), |(t, n)| (t, n)),
        [t, n] if !t.contains('/') => (t.as_str(), n.as_str()),
        _ => {
            return Err(Text::new(
                format!("kubectl rollout {sub}: 이 랩은 Deployment 하나씩만 다룹니다 (kubectl rollout {sub} deployment/nginx)"),
                format!("kubectl rollout {sub}: the lab takes one Deployment at a time (kubectl rollout {sub} deployment/nginx)"),
            ))
        }
    };
    let res = resource(typed)?;
    match (res.group, res.name) {
        ("apps", "deployments") => {}
        ("apps", "daemonsets" | "statefulsets") => {
            return Err(Text::new(
                format!(
                    "kubectl rollout {sub}: 이 랩은 Deployment의 롤아웃만 시뮬레이션합니다 ({}는 아직 아님)",
                    res.name
                ),
                format!("kubectl rollout {sub}: the lab simulates Deployment rollouts only (not {} yet)", res.name),
            ))
        }
        _ => {
            // polymorphichelpers: each subcommand's "not implemented for" error (kubectl says it
            // after GETting the object; the lab says it without sending anything).
            let kind = if res.group.is_empty() { res.kind.to_string() } else { format!("{}.{}", res.kind, res.group) };
            return Err(err(match sub {
                "status" => format!("no status viewer has been implemented for {kind}"),
                "history" => format!("no history viewer has been implemented for {kind:?}"),
                "undo" => format!("no rollbacker has been implemented for {kind:?}"),
                "pause" => "pausing is not supported".to_string(),
                "resume" => "resuming is not supported".to_string(),
                _ => "restarting is not supported".to_string(),
            }));
        }
    }
    if name.is_empty() {
        return Err(Text::new(
            format!("kubectl rollout {sub}: 이 랩에서는 이름이 필요합니다 (kubectl rollout {sub} deployment/nginx)"),
            format!("kubectl rollout {sub}: the lab needs a name (kubectl rollout {sub} deployment/nginx)"),
        ));
    }
    Ok(name.to_string())
}

fn parse_rollout(args: &[String]) -> Result<Steps, ParseError> {
    let usage = || {
        Text::new(
            "kubectl rollout: 사용법: kubectl rollout status|history|undo|restart|pause|resume deployment/이름",
            "kubectl rollout: usage: kubectl rollout status|history|undo|restart|pause|resume deployment/NAME",
        )
    };
    let Some((sub, rest)) = args.split_first() else { return Err(usage()) };
    let mut f = split_flags_pub(rest)?;
    let what = match sub.as_str() {
        "status" => {
            let watch = match f.take(&["-w", "--watch"]) {
                Some(v) => parse_bool("-w, --watch", &v)?,
                None => true,
            };
            let revision = match f.take(&["--revision"]) {
                Some(v) => parse_int("--revision", &v)?,
                None => 0,
            };
            let timeout_us = match f.take(&["--timeout"]) {
                Some(v) => parse_timeout(&v)?,
                None => 0,
            };
            let name = rollout_target(sub, &f.words)?;
            if revision < 0 {
                return Err(err(format!("revision must be a positive integer: {revision}")));
            }
            Step::RolloutStatus { name, watch, revision, timeout_us }
        }
        "history" => {
            let revision = match f.take(&["--revision"]) {
                Some(v) => parse_int("--revision", &v)?,
                None => 0,
            };
            let name = rollout_target(sub, &f.words)?;
            if revision < 0 {
                return Err(err(format!("revision must be a positive integer: {revision}")));
            }
            Step::RolloutHistory { name, revision }
        }
        "undo" => {
            let to_revision = match f.take(&["--to-revision"]) {
                Some(v) => parse_int("--to-revision", &v)?,
                None => 0,
            };
            Step::RolloutUndo { name: rollout_target(sub, &f.words)?, to_revision }
        }
        "restart" => Step::RolloutRestart { name: rollout_target(sub, &f.words)? },
        "pause" | "resume" => Step::RolloutPause { name: rollout_target(sub, &f.words)?, pause: sub == "pause" },
        other => return Err(err(format!("unknown command \"{}\" for \"kubectl rollout\"", printable(other)))),
    };
    let s = steps(what, &mut f);
    f.done()?;
    Ok(s)
}

/// `kubectl set image TYPE NAME|TYPE/NAME CONTAINER=IMAGE …`: words with `=` are images
/// (`getResourcesAndImages`).
fn parse_set(args: &[String]) -> Result<Steps, ParseError> {
    match args.first().map(String::as_str) {
        Some("image") => {}
        Some(other) => {
            return Err(Text::new(
                format!("kubectl set {}: 이 랩은 kubectl set image만 시뮬레이션합니다", printable(other)),
                format!("kubectl set {}: the lab simulates kubectl set image only", printable(other)),
            ))
        }
        None => {
            return Err(Text::new(
                "kubectl set: 사용법: kubectl set image deployment/이름 컨테이너=이미지",
                "kubectl set: usage: kubectl set image deployment/NAME CONTAINER=IMAGE",
            ))
        }
    }
    let mut f = split_flags_pub(&args[1..])?;
    let record = match f.take(&["--record"]) {
        Some(v) => parse_bool("--record", &v)?,
        None => false,
    };
    let (pairs, targets): (Vec<String>, Vec<String>) = f.words.iter().cloned().partition(|w| w.contains('='));
    let mut images = Vec::new();
    for p in &pairs {
        let (c, i) = p.split_once('=').expect("partitioned on '='");
        if c.is_empty() || i.is_empty() {
            return Err(err(format!("invalid image update {}: expected CONTAINER=IMAGE", printable(p))));
        }
        images.push((c.to_string(), i.to_string()));
    }
    let no_resource = || err("one or more resources must be specified as <resource> <name> or <resource>/<name>");
    let (res, name) = match targets.as_slice() {
        [t] => match t.split_once('/') {
            Some((t, n)) => (resource(t)?, n.to_string()),
            None => return Err(no_resource()),
        },
        [t, n] => (resource(t)?, n.clone()),
        [] => return Err(no_resource()),
        _ => {
            return Err(Text::new(
                "kubectl set image: 이 랩은 한 번에 객체 하나의 이미지를 바꿉니다 (kubectl set image deployment/nginx nginx=nginx:1.25)",
                "kubectl set image: the lab sets the images of one object at a time (kubectl set image deployment/nginx nginx=nginx:1.25)",
            ))
        }
    };
    if name.is_empty() {
        return Err(no_resource());
    }
    if images.is_empty() {
        return Err(err("at least one image update is required"));
    }
    if images.len() > IMAGES_MAX {
        return Err(Text::new(
            format!("kubectl set image: 이 랩은 한 번에 이미지 {IMAGES_MAX}개까지 바꿉니다"),
            format!("kubectl set image: the lab sets at most {IMAGES_MAX} images at once"),
        ));
    }
    if images.len() > 1 && images.iter().any(|(c, _)| c == "*") {
        return Err(err(
            "all containers are already specified by *, but saw more than one container_name=container_image pairs",
        ));
    }
    if !matches!(res.name, "pods" | "deployments" | "replicasets" | "daemonsets" | "statefulsets") {
        return Err(Text::new(
            format!("kubectl set image {}: 이 랩은 pods, deployments, replicasets, daemonsets, statefulsets의 이미지를 바꿉니다", res.name),
            format!("kubectl set image {}: the lab sets images of pods, deployments, replicasets, daemonsets, statefulsets", res.name),
        ));
    }
    // record_flags.go `parseCommandArguments`: the command, its words, then each flag it was
    // given as `--long-name=value`, in the order typed.
    let change_cause = record.then(|| change_cause(&args[1..]));
    let mut s = steps(Step::SetImage { resource: res, name, images, change_cause }, &mut f);
    f.done()?;
    if record {
        // pflag `MarkDeprecated` (cli-runtime record_flags.go).
        s.warning = Some("Flag --record has been deprecated, --record will be removed in the future".into());
    }
    Ok(s)
}

/// record_flags.go `parseCommandArguments`: `kubectl set image`, the words, then each flag as
/// `--long-name=value` in the order typed (a bare `--record` is `--record=true`).
fn change_cause(args: &[String]) -> String {
    let mut words = String::from("kubectl set image");
    let mut flags = String::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(flag) = a.strip_prefix('-').filter(|f| !f.is_empty()) else {
            words.push(' ');
            words.push_str(a);
            continue;
        };
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n.trim_start_matches('-'), v.to_string()),
            None => {
                let n = flag.trim_start_matches('-');
                let v = if n == "record" { "true".to_string() } else { it.next().cloned().unwrap_or_default() };
                (n, v)
            }
        };
        let name = if name == "n" { "namespace" } else { name };
        flags.push_str(&format!(" --{name}={value}"));
    }
    words + &flags
}

fn parse_drain(args: &[String]) -> Result<Steps, ParseError> {
    let mut f = split_flags_pub(args)?;
    let mut switch = |names: &[&str]| -> Result<bool, ParseError> {
        match f.take(names) {
            Some(v) => parse_bool(names[0], &v),
            None => Ok(false),
        }
    };
    let ignore_daemonsets = switch(&["--ignore-daemonsets"])?;
    let delete_emptydir_data = switch(&["--delete-emptydir-data"])?;
    let delete_local_data = switch(&["--delete-local-data"])?;
    let force = switch(&["--force"])?;
    let disable_eviction = switch(&["--disable-eviction"])?;
    let grace_period_s = match f.take(&["--grace-period"]) {
        Some(v) => parse_int("--grace-period", &v)?,
        None => -1,
    };
    let timeout_us = match f.take(&["--timeout"]) {
        Some(v) => parse_timeout(&v)?,
        None => 0,
    };
    let node = match f.words.as_slice() {
        [n] => n.split_once('/').map_or(n.as_str(), |(_, n)| n).to_string(),
        [] => return Err(err("USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples")),
        _ => {
            return Err(Text::new(
                "kubectl drain: 이 랩은 한 번에 노드 하나를 비웁니다 (kubectl drain challenge-cluster-worker2)",
                "kubectl drain: the lab drains one node at a time (kubectl drain challenge-cluster-worker2)",
            ))
        }
    };
    let d = Drain {
        node,
        ignore_daemonsets,
        delete_emptydir_data: delete_emptydir_data || delete_local_data,
        force,
        grace_period_s,
        timeout_us,
        disable_eviction,
    };
    let mut s = steps(Step::Drain(d), &mut f);
    f.done()?;
    if delete_local_data {
        s.warning = Some(
            "Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data."
                .into(),
        );
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_line;
    use super::*;

    fn steps_of(line: &str) -> Steps {
        match parse_line(line) {
            Ok(Command::KubectlSteps(s)) => *s,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn error_of(line: &str) -> String {
        match parse_line(line) {
            Err(e) => e.en,
            other => panic!("{line}: {other:?}"),
        }
    }

    /// The forms of KW `concepts/workloads/controllers/deployment.md` and the class's commands.
    #[test]
    fn rollout_subcommands_parse_with_their_flags() {
        let s = steps_of("kubectl rollout status deployment/nginx");
        assert_eq!(s.what, Step::RolloutStatus { name: "nginx".into(), watch: true, revision: 0, timeout_us: 0 });
        let s = steps_of("kubectl rollout status deploy nginx -w=false --revision=2 --timeout=30s -n dev");
        assert_eq!(
            s.what,
            Step::RolloutStatus { name: "nginx".into(), watch: false, revision: 2, timeout_us: 30_000_000 }
        );
        assert_eq!(s.namespace.as_deref(), Some("dev"));
        assert_eq!(
            steps_of("kubectl rollout history deployment/nginx --revision=3").what,
            Step::RolloutHistory { name: "nginx".into(), revision: 3 }
        );
        assert_eq!(
            steps_of("kubectl rollout undo deployment/nginx --to-revision=1").what,
            Step::RolloutUndo { name: "nginx".into(), to_revision: 1 }
        );
        assert_eq!(
            steps_of("kubectl rollout undo deployments.apps/nginx").what,
            Step::RolloutUndo { name: "nginx".into(), to_revision: 0 }
        );
        assert_eq!(
            steps_of("kubectl rollout restart deployment/nginx").what,
            Step::RolloutRestart { name: "nginx".into() }
        );
        assert_eq!(
            steps_of("kubectl rollout resume deployment nginx").what,
            Step::RolloutPause { name: "nginx".into(), pause: false }
        );
    }

    /// rollout_status.go / rollout_history.go `Validate`, pflag's value errors, and the
    /// polymorphic helpers' "not implemented" errors.
    #[test]
    fn rollout_errors_are_kubectls() {
        assert_eq!(error_of("kubectl rollout status"), "error: required resource not specified");
        assert_eq!(
            error_of("kubectl rollout status deployment/nginx --revision=-1"),
            "error: revision must be a positive integer: -1"
        );
        assert_eq!(
            error_of("kubectl rollout status deployment/nginx -w=maybe"),
            "error: invalid argument \"maybe\" for \"-w, --watch\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
        assert_eq!(error_of("kubectl rollout status deployment/nginx --bogus=1"), "error: unknown flag: --bogus");
        assert_eq!(error_of("kubectl rollout status pod/web"), "error: no status viewer has been implemented for Pod");
        assert_eq!(
            error_of("kubectl rollout history rs/web"),
            "error: no history viewer has been implemented for \"ReplicaSet.apps\""
        );
        assert_eq!(
            error_of("kubectl rollout frob deployment/x"),
            "error: unknown command \"frob\" for \"kubectl rollout\""
        );
        assert_eq!(
            error_of("kubectl rollout status deployment/x --timeout=soon"),
            "error: invalid argument \"soon\" for \"--timeout\" flag: time: invalid duration \"soon\""
        );
        assert!(parse_line("kubectl rollout").is_err());
        assert!(parse_line("kubectl rollout status deployment").is_err());
        assert!(parse_line("kubectl rollout status daemonset/kindnet").is_err());
    }

    /// set_image.go `Validate`; `--record` (cli-runtime record_flags.go) is deprecated and
    /// records the command line.
    #[test]
    fn set_image_takes_pairs_and_records_the_command() {
        let s = steps_of("kubectl set image deployment/nginx nginx=nginx:1.25");
        let Step::SetImage { resource, name, images, change_cause } = &s.what else { panic!() };
        assert_eq!((resource.name, name.as_str()), ("deployments", "nginx"));
        assert_eq!(images, &[("nginx".to_string(), "nginx:1.25".to_string())]);
        assert_eq!((change_cause, &s.warning), (&None, &None));
        let s = steps_of("kubectl set image deployment nginx nginx=nginx:1.16.1 --record");
        let Step::SetImage { change_cause, .. } = &s.what else { panic!() };
        assert_eq!(
            change_cause.as_deref(),
            Some("kubectl set image deployment nginx nginx=nginx:1.16.1 --record=true")
        );
        assert_eq!(
            s.warning.as_deref(),
            Some("Flag --record has been deprecated, --record will be removed in the future")
        );
        let s = steps_of("kubectl set image -n dev deployment/nginx nginx=nginx:1.25 --record=true");
        let Step::SetImage { change_cause, .. } = &s.what else { panic!() };
        assert_eq!(
            change_cause.as_deref(),
            Some("kubectl set image deployment/nginx nginx=nginx:1.25 --namespace=dev --record=true")
        );
        assert_eq!(error_of("kubectl set image deployment/nginx"), "error: at least one image update is required");
        assert_eq!(
            error_of("kubectl set image nginx=nginx:1.25"),
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>"
        );
        assert!(parse_line("kubectl set image deployment/x *=a b=c").is_err());
        assert!(parse_line("kubectl set env deployment/x A=b").is_err());
    }

    /// Go's `time.ParseDuration` forms the lab takes.
    #[test]
    fn timeouts_are_go_durations() {
        assert_eq!(parse_go_duration_us("0"), Some(0));
        assert_eq!(parse_go_duration_us("30s"), Some(30_000_000));
        assert_eq!(parse_go_duration_us("1h30m"), Some(5_400_000_000));
        assert_eq!(parse_go_duration_us("1.5s"), Some(1_500_000));
        assert_eq!(parse_go_duration_us("2m500ms"), Some(120_500_000));
        for bad in ["", "30", "s", "1x", "-1s", "1h30"] {
            assert_eq!(parse_go_duration_us(bad), None, "{bad}");
        }
    }

    #[test]
    fn drain_takes_drain_gos_flags() {
        let s = steps_of("kubectl drain challenge-cluster-worker2 --ignore-daemonsets --delete-emptydir-data --force");
        assert_eq!(
            s.what,
            Step::Drain(Drain {
                node: "challenge-cluster-worker2".into(),
                ignore_daemonsets: true,
                delete_emptydir_data: true,
                force: true,
                grace_period_s: -1,
                timeout_us: 0,
                disable_eviction: false,
            })
        );
        let s = steps_of("kubectl drain node/w --grace-period=5 --timeout=1m --delete-local-data");
        let Step::Drain(d) = &s.what else { panic!() };
        assert_eq!(
            (d.node.as_str(), d.grace_period_s, d.timeout_us, d.delete_emptydir_data),
            ("w", 5, 60_000_000, true)
        );
        assert!(s.warning.is_some_and(|w| w.starts_with("Flag --delete-local-data has been deprecated")));
        assert_eq!(
            error_of("kubectl drain"),
            "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples"
        );
        assert_eq!(error_of("kubectl drain w --ignore-daemonset=1"), "error: unknown flag: --ignore-daemonset");
    }
}
