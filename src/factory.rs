//! The robot factory, drawn (handout Part 3, "Controller Manager = 자동화 로봇 공장"): the
//! controller-manager's Lease and instances, the watch room's feed, each robot with its work
//! queue, workers and last reconcile (desired against current, and the writes it sent), the
//! Deployments with scale buttons, and the nodes with their pods. Plain HTML: every state is
//! written in words and glyphs (never colour alone), every button submits the line the command
//! line would (DESIGN.md: a click is a command), and animations stop under reduced motion.

use lab_core::controllers::Diff;
use lab_core::i18n::Lang;
use lab_core::view::{
    ActionView, DeploymentView, FeedView, InstanceView, LeaseView, NodeView, PodPhase, PodView, ReconcileView,
    RobotView, WaitingKeyView,
};
use leptos::prelude::*;

use crate::actions::is_plain_word;
use crate::i18n::{self, Tr};
use crate::lab::Lab;
use crate::office_model::seconds_text;

/// The most replicas the + button asks for (typed commands may ask for more).
pub const SCALE_MAX: u64 = 50;

/// `kubectl scale deployment nginx --replicas=4` (`-n NS` outside `default`); `None` for a
/// name that is not a plain word (the API server validated it, this only makes sure).
pub fn scale_command(namespace: &str, name: &str, replicas: u64) -> Option<String> {
    if !is_plain_word(name) || !is_plain_word(namespace) {
        return None;
    }
    let ns = if namespace == "default" { String::new() } else { format!(" -n {namespace}") };
    Some(format!("kubectl scale deployment {name} --replicas={replicas}{ns}"))
}

/// `lab node crash challenge-cluster-worker` / `lab node restart …`.
pub fn node_command(name: &str, up: bool) -> Option<String> {
    is_plain_word(name).then(|| format!("lab node {} {name}", if up { "crash" } else { "restart" }))
}

/// `lab controller-manager crash 1` / `lab scheduler restart 2` (N: the control-plane node).
pub fn instance_command(component: &str, node: u8, up: bool) -> String {
    let what = if component == "kube-scheduler" { "scheduler" } else { "controller-manager" };
    format!("lab {what} {} {node}", if up { "crash" } else { "restart" })
}

/// A robot's name in the reader's language (the class's words: 배포 로봇, 복제 로봇, 노드 로봇).
pub fn robot_title(name: &str) -> Tr {
    match name {
        "deployment" => i18n::ROBOT_DEPLOYMENT,
        "replicaset" => i18n::ROBOT_REPLICASET,
        "node-lifecycle" => i18n::ROBOT_NODE,
        "garbagecollector" => i18n::ROBOT_GC,
        "endpoint" => i18n::ROBOT_ENDPOINTS,
        "scheduler" => i18n::ROBOT_SCHEDULER,
        "rogue" => i18n::ROBOT_ROGUE,
        _ => i18n::ROBOT_OTHER,
    }
}

/// A pod's phase as a glyph (with its word beside it: never the colour alone).
pub fn phase_glyph(p: PodPhase) -> &'static str {
    match p {
        PodPhase::Pending => "◌",
        PodPhase::ContainerCreating => "◔",
        PodPhase::Running => "●",
        PodPhase::Terminating => "⊗",
        PodPhase::Other => "?",
    }
}

/// `data-phase` of a pod chip.
pub fn phase_attr(p: PodPhase) -> &'static str {
    match p {
        PodPhase::Pending => "Pending",
        PodPhase::ContainerCreating => "ContainerCreating",
        PodPhase::Running => "Running",
        PodPhase::Terminating => "Terminating",
        PodPhase::Other => "Other",
    }
}

/// `✓ 201 create pods nginx-…`, `⊘ 409 update replicasets nginx-…`, `◔ create pods` (asked,
/// no answer yet), `✕ EOF …` (the connection was lost).
pub fn action_line(a: &ActionView) -> String {
    let what = if a.subresource.is_empty() {
        format!("{} {}", a.verb, a.resource)
    } else {
        format!("{} {}/{}", a.verb, a.resource, a.subresource)
    };
    let name = if a.name.is_empty() { String::new() } else { format!(" {}", a.name) };
    match a.code {
        None => format!("◔ {what}{name}"),
        Some(0) => format!("✕ EOF {what}{name}"),
        Some(c) if c >= 400 => format!("⊘ {c} {what}{name}"),
        Some(c) => format!("✓ {c} {what}{name}"),
    }
}

/// The writes of a reconcile, counted: `create pods ×2, update replicasets`.
pub fn actions_summary(actions: &[ActionView], planned: usize) -> String {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for a in actions {
        let what = if a.subresource.is_empty() {
            format!("{} {}", a.verb, a.resource)
        } else {
            format!("{} {}/{}", a.verb, a.resource, a.subresource)
        };
        match groups.iter_mut().find(|(w, _)| *w == what) {
            Some((_, n)) => *n += 1,
            None => groups.push((what, 1)),
        }
    }
    let mut parts: Vec<String> = groups.into_iter().map(|(w, n)| if n > 1 { format!("{w} ×{n}") } else { w }).collect();
    // Writes of later batches not sent yet (slow start), or beyond what the board keeps.
    if planned > actions.len() {
        parts.push(format!("+{}", planned - actions.len()));
    }
    parts.join(", ")
}

/// `replicas: 원하는 5 / 현재 3 → create pods ×2` (or `… ✓ 일치` when nothing was needed).
pub fn diff_line(lang: Lang, diff: Option<&Diff>, r: &ReconcileView) -> String {
    let actions = actions_summary(&r.actions, r.planned);
    let gap = match diff {
        Some(d) => {
            format!("{}: {} {} / {} {}", d.what, i18n::DESIRED.get(lang), d.desired, i18n::CURRENT.get(lang), d.current)
        }
        None => String::new(),
    };
    match (gap.is_empty(), actions.is_empty()) {
        (_, true) => format!("{gap} ✓ {}", i18n::IN_SYNC.get(lang)).trim().to_string(),
        (true, false) => format!("→ {actions}"),
        (false, false) => format!("{gap} → {actions}"),
    }
}

/// A parked key: `2.5초 후 재시도 (실패 3)` / `retry in 2.5s (3 failures)` for a back-off,
/// `300.0초 후 다시` / `again in 300.0s` for a requeue-after.
pub fn wait_text(lang: Lang, w: &WaitingKeyView, now_us: u64) -> String {
    let left = seconds_text(w.due_us.saturating_sub(now_us));
    match (lang, w.failures) {
        (Lang::Ko, 0) => format!("◷ {left} {}", i18n::QUEUE_AGAIN_IN.get(lang)),
        (Lang::En, 0) => format!("◷ {} {left}", i18n::QUEUE_AGAIN_IN.get(lang)),
        (Lang::Ko, n) => format!("⟳ {left} {} (실패 {n})", i18n::QUEUE_RETRY_IN.get(lang)),
        (Lang::En, n) => format!("⟳ {} {left} ({n} failures)", i18n::QUEUE_RETRY_IN.get(lang)),
    }
}

/// A node's Ready condition in words: `✓ Ready`, `✕ NotReady`, `? Unknown — kubelet 보고 끊김`.
pub fn node_status(lang: Lang, n: &NodeView) -> String {
    let ready = match n.ready {
        "True" => "✓ Ready".to_string(),
        "False" => "✕ NotReady".to_string(),
        "Unknown" => format!("? NotReady (Unknown) — {}", i18n::NODE_UNKNOWN_NOTE.get(lang)),
        _ => format!("· {}", i18n::NODE_NO_STATUS.get(lang)),
    };
    if n.unschedulable {
        format!("{ready} · {}", i18n::NODE_CORDONED.get(lang))
    } else {
        ready
    }
}

/// What the lab knows and the API server may not yet: the kubelet stopped, or is cut off.
pub fn kubelet_truth(lang: Lang, n: &NodeView) -> Option<String> {
    let what = if !n.kubelet_up {
        i18n::KUBELET_DOWN
    } else if !n.reachable {
        i18n::KUBELET_CUT
    } else {
        return None;
    };
    if n.ready == "True" {
        Some(format!("⚠ {} — {}", what.get(lang), i18n::KUBELET_API_LATE.get(lang)))
    } else {
        Some(format!("⚠ {}", what.get(lang)))
    }
}

/// An instance's state in words: `♛ 리더`, `◇ 대기`, `✕ 중지됨`.
pub fn instance_state(lang: Lang, i: &InstanceView) -> String {
    if !i.up {
        format!("✕ {}", i18n::INSTANCE_DOWN.get(lang))
    } else if i.leading {
        format!("♛ {}", i18n::INSTANCE_LEADER.get(lang))
    } else {
        format!("◇ {}", i18n::INSTANCE_STANDBY.get(lang))
    }
}

/// `1.2s / 15.0s 마지막 갱신 후` or the expiry note.
pub fn lease_age_text(lang: Lang, l: &LeaseView) -> String {
    match l.renewed_ago_us {
        None => "—".to_string(),
        Some(ago) if ago >= l.duration_us && !l.holder.is_empty() => {
            format!("{} / {} · ⌛ {}", seconds_text(ago), seconds_text(l.duration_us), i18n::LEASE_EXPIRED.get(lang))
        }
        Some(ago) => {
            format!("{} / {} {}", seconds_text(ago), seconds_text(l.duration_us), i18n::LEASE_SINCE_RENEW.get(lang))
        }
    }
}

/// The short form of a control-plane node's role number: `control-plane2` for the instance list.
fn short_node(name: &str) -> &str {
    name.strip_prefix("challenge-cluster-").unwrap_or(name)
}

#[component]
pub fn FactorySection(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let has = Memo::new(move |_| lab.view.with(|v| v.factory.is_some()));
    view! {
        <Show when=move || has.get()>
            <section id="factory" class="factory-section" aria-labelledby="factory-title">
                <h2 id="factory-title">{t(i18n::FACTORY)}</h2>
                <p class="hint">{t(i18n::FACTORY_INTRO)}</p>
                <div class="factory-top">
                    <LeaseBoard lab />
                    <WatchFeed lab />
                </div>
                <RobotFloor lab />
                <DeploymentBoard lab />
                <NodeStrip lab />
                <p class="factory-legend">{t(i18n::FACTORY_LEGEND)}</p>
                <p class="hint">{t(i18n::FACTORY_NOTE)}</p>
            </section>
        </Show>
    }
}

/// The controller-manager's Lease (who holds it, how long since it was renewed, as a bar with
/// text), the scheduler's in one line, and every instance with its crash/restart button.
#[component]
fn LeaseBoard(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let leases: Memo<Vec<LeaseView>> =
        Memo::new(move |_| lab.view.with(|v| v.factory.as_ref().map(|f| f.leases.clone()).unwrap_or_default()));
    let kcm = Memo::new(move |_| leases.with(|l| l.first().cloned()));
    let sched = Memo::new(move |_| leases.with(|l| l.get(1).cloned()));
    let instances: Memo<Vec<InstanceView>> =
        Memo::new(move |_| lab.view.with(|v| v.factory.as_ref().map(|f| f.instances.clone()).unwrap_or_default()));
    let leader = Memo::new(move |_| {
        instances.with(|i| i.iter().find(|i| i.leading && i.component == "kube-controller-manager").map(|i| i.node))
    });
    let age = Memo::new(move |_| kcm.with(|l| l.as_ref().and_then(|l| l.renewed_ago_us)));
    let fill = move || {
        kcm.with(|l| {
            let pct = l.as_ref().and_then(|l| l.renewed_ago_us.map(|a| (a * 100 / l.duration_us.max(1)).min(100)));
            format!("width: {}%", pct.unwrap_or(0))
        })
    };
    let holder_pod = move || {
        let l = lang.get();
        kcm.with(|k| {
            k.as_ref()
                .and_then(|k| k.holder_pod.clone().or_else(|| (!k.holder.is_empty()).then(|| k.holder.clone())))
                .unwrap_or_else(|| i18n::LEASE_NOBODY.get(l).to_string())
        })
    };
    view! {
        <section id="factory-lease" class="panel lease-board" aria-labelledby="lease-title">
            <h3 id="lease-title">
                {t(i18n::LEASE_TITLE)}
                " · kube-system/kube-controller-manager"
            </h3>
            <p class="lease-holder">
                <span class="label">{t(i18n::LEASE_HOLDER)}</span>
                ": "
                <strong id="lease-holder" data-holder=move || kcm.with(|k| k.as_ref().map(|k| k.holder.clone()))>
                    {holder_pod}
                </strong>
            </p>
            <div
                id="lease-bar"
                class="lease-bar"
                class:expired=move || kcm.with(|k| k.as_ref().is_some_and(|k| k.renewed_ago_us.is_some_and(|a| a >= k.duration_us)))
                role="meter"
                aria-valuemin="0"
                aria-valuemax=move || kcm.with(|k| k.as_ref().map_or(15, |k| k.duration_us / 1_000_000)).to_string()
                aria-valuenow=move || (age.get().unwrap_or(0) / 1_000_000).to_string()
                aria-valuetext=move || kcm.with(|k| k.as_ref().map(|k| lease_age_text(lang.get(), k)))
                aria-label=move || format!("{} {}", i18n::LEASE_TITLE.get(lang.get()), i18n::LEASE_SINCE_RENEW.get(lang.get()))
                data-age-us=move || age.get().map_or(String::new(), |a| a.to_string())
            >
                <div class="lease-fill" style=fill></div>
            </div>
            <p class="lease-age">{move || kcm.with(|k| k.as_ref().map(|k| lease_age_text(lang.get(), k)))}</p>
            <p class="hint lease-sched">
                {move || {
                    let l = lang.get();
                    sched
                        .with(|s| {
                            s.as_ref()
                                .map(|s| {
                                    format!(
                                        "kube-scheduler: {} · {}",
                                        s.holder_pod.clone().unwrap_or_else(|| i18n::LEASE_NOBODY.get(l).to_string()),
                                        lease_age_text(l, s),
                                    )
                                })
                        })
                }}
            </p>
            <button
                id="kcm-crash-leader"
                type="button"
                disabled=move || leader.get().is_none()
                title=move || leader.get().map(|n| instance_command("kube-controller-manager", n, true))
                on:click=move |_| {
                    if let Some(n) = leader.get_untracked() {
                        lab.submit(&instance_command("kube-controller-manager", n, true));
                    }
                }
            >
                <span aria-hidden="true">"✕ "</span>
                {t(i18n::CRASH_LEADER)}
            </button>
            <ul class="instance-list">
                <For
                    each=move || instances.with(|i| i.iter().map(|i| (i.component, i.node)).collect::<Vec<_>>())
                    key=|k| *k
                    let:k
                >
                    <InstanceRow lab instances component=k.0 node=k.1 />
                </For>
            </ul>
            <p class="hint">{t(i18n::LEASE_NOTE)}</p>
        </section>
    }
}

#[component]
fn InstanceRow(lab: Lab, instances: Memo<Vec<InstanceView>>, component: &'static str, node: u8) -> impl IntoView {
    let lang = lab.lang;
    let inst =
        Memo::new(move |_| instances.with(|i| i.iter().find(|i| i.component == component && i.node == node).cloned()));
    let up = Memo::new(move |_| inst.with(|i| i.as_ref().is_some_and(|i| i.up)));
    let short = if component == "kube-scheduler" { "sched" } else { "kcm" };
    let label = move || {
        let l = lang.get();
        let pod = inst.with(|i| i.as_ref().map(|i| i.pod.clone()).unwrap_or_default());
        format!("{pod}: {}", if up.get() { i18n::INSTANCE_CRASH.get(l) } else { i18n::INSTANCE_RESTART.get(l) })
    };
    view! {
        <li
            class="instance"
            class:leading=move || inst.with(|i| i.as_ref().is_some_and(|i| i.leading))
            class:down=move || !up.get()
            data-instance=move || inst.with(|i| i.as_ref().map(|i| i.pod.clone()))
            data-leading=move || inst.with(|i| i.as_ref().is_some_and(|i| i.leading)).to_string()
            data-up=move || up.get().to_string()
        >
            <span class="instance-name">
                {move || inst.with(|i| i.as_ref().map(|i| format!("{} · {}", i.component, short_node(&i.node_name))))}
            </span>
            <span class="instance-state">{move || inst.with(|i| i.as_ref().map(|i| instance_state(lang.get(), i)))}</span>
            <button
                id=format!("{short}-{node}-toggle")
                type="button"
                class="small"
                title=move || instance_command(component, node, up.get())
                aria-label=label
                on:click=move |_| lab.submit(&instance_command(component, node, up.get_untracked()))
            >
                {move || if up.get() { i18n::INSTANCE_CRASH.get(lang.get()) } else { i18n::INSTANCE_RESTART.get(lang.get()) }}
            </button>
        </li>
    }
}

/// The watch room: the leader's informer deliveries, newest first.
#[component]
fn WatchFeed(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let feed: Memo<Vec<FeedView>> = Memo::new(move |_| {
        lab.view.with(|v| v.factory.as_ref().map(|f| f.feed.iter().rev().cloned().collect()).unwrap_or_default())
    });
    let total =
        Memo::new(move |_| lab.view.with(|v| v.factory.as_ref().map_or((0, 0), |f| (f.feed_total, f.feed_heartbeats))));
    view! {
        <section id="factory-feed" class="panel watch-feed" aria-labelledby="feed-title">
            <h3 id="feed-title">{t(i18n::FEED_TITLE)}</h3>
            <p class="hint" id="feed-total">
                {move || {
                    let l = lang.get();
                    let (all, beats) = total.get();
                    format!("{}: {all} · {}: {beats}", i18n::FEED_TOTAL.get(l), i18n::FEED_HEARTBEATS.get(l))
                }}
            </p>
            <Show when=move || feed.with(Vec::is_empty)>
                <p class="empty">{t(i18n::FEED_EMPTY)}</p>
            </Show>
            <ol class="feed-list">
                <For each=move || feed.get() key=|f| f.seq let:f>
                    <li class="feed-item" data-kind=f.kind data-resource=f.resource data-key=f.key.clone()>
                        <span class="feed-kind">
                            {match f.kind {
                                "ADDED" => "+ ADDED",
                                "DELETED" => "− DELETED",
                                _ => "✎ MODIFIED",
                            }}
                        </span>
                        " "
                        <span class="feed-resource">{f.resource}</span>
                        " "
                        <span class="feed-key">{f.key.clone()}</span>
                        <span class="feed-rv">{format!(" rv {}", f.resource_version)}</span>
                        {f.listed.then(|| view! { <span class="feed-list-tag">{move || format!(" · {}", i18n::FEED_LIST.get(lang.get()))}</span> })}
                    </li>
                </For>
            </ol>
        </section>
    }
}

#[component]
fn RobotFloor(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let names: Memo<Vec<&'static str>> = Memo::new(move |_| {
        lab.view.with(|v| v.factory.as_ref().map(|f| f.robots.iter().map(|r| r.name).collect()).unwrap_or_default())
    });
    view! {
        <section id="factory-robots" class="robot-floor" aria-labelledby="robots-title">
            <h3 id="robots-title">{i18n::tr(lang, i18n::ROBOTS_TITLE)}</h3>
            <div class="robot-grid">
                <For each=move || names.get() key=|n| *n let:name>
                    <RobotCard lab name />
                </For>
            </div>
        </section>
    }
}

/// One robot: busy or idle (with a glyph and words), its workers and their keys, its queue as
/// key chips (a merged add shows ×N, a parked key its retry time), its counters, and its last
/// reconcile: desired against current and the writes it sent.
#[component]
fn RobotCard(lab: Lab, name: &'static str) -> impl IntoView {
    let lang = lab.lang;
    let robot: Memo<Option<RobotView>> = Memo::new(move |_| {
        lab.view.with(|v| v.factory.as_ref().and_then(|f| f.robots.iter().find(|r| r.name == name).cloned()))
    });
    let now = Memo::new(move |_| lab.view.with(|v| v.now_us));
    let busy = Memo::new(move |_| {
        robot.with(|r| r.as_ref().map_or(0, |r| r.workers.iter().filter(|w| w.key.is_some()).count()))
    });
    let running = Memo::new(move |_| robot.with(|r| r.as_ref().is_some_and(|r| r.running)));
    let state = move || {
        let l = lang.get();
        let n = robot.with(|r| r.as_ref().map_or(0, |r| r.workers.len()));
        if !running.get() {
            format!("✕ {}", i18n::ROBOT_STOPPED.get(l))
        } else if busy.get() > 0 {
            format!("⚙ {} ({}/{n})", i18n::ROBOT_BUSY.get(l), busy.get())
        } else {
            format!("☾ {}", i18n::ROBOT_IDLE.get(l))
        }
    };
    let queued = Memo::new(move |_| robot.with(|r| r.as_ref().map(|r| r.queued.clone()).unwrap_or_default()));
    let waiting = Memo::new(move |_| robot.with(|r| r.as_ref().map(|r| r.waiting.clone()).unwrap_or_default()));
    let more = Memo::new(move |_| {
        robot.with(|r| r.as_ref().map_or(0, |r| r.queued_total - r.queued.len() + r.waiting_total - r.waiting.len()))
    });
    let workers = Memo::new(move |_| {
        robot.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.workers
                        .iter()
                        .enumerate()
                        .filter(|(_, w)| w.key.is_some())
                        .map(|(i, w)| (i, w.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let last = Memo::new(move |_| robot.with(|r| r.as_ref().and_then(|r| r.last.clone())));
    let latest = Memo::new(move |_| {
        robot.with(|r| {
            r.as_ref().and_then(|r| r.latest.clone()).filter(|l| {
                r.as_ref().and_then(|r| r.last.as_ref()).is_none_or(|x| x.at_us < l.at_us || x.key != l.key)
            })
        })
    });
    let counts = move || {
        let l = lang.get();
        robot.with(|r| {
            r.as_ref().map(|r| {
                format!(
                    "{} {} · {} {} · {} {}",
                    i18n::ROBOT_SYNCS.get(l),
                    r.syncs,
                    i18n::ROBOT_DEDUPED.get(l),
                    r.deduped,
                    i18n::ROBOT_CONFLICTS.get(l),
                    r.conflicts
                )
            })
        })
    };
    let title = robot_title(name);
    view! {
        <article
            class="robot"
            class:busy=move || busy.get() != 0
            class:stopped=move || !running.get()
            data-robot=name
            data-busy=move || busy.get().to_string()
            data-running=move || running.get().to_string()
            aria-labelledby=format!("robot-{name}-title")
        >
            <header class="robot-head">
                <RobotIcon />
                <h4 id=format!("robot-{name}-title")>
                    {i18n::tr(lang, title)}
                    <span class="robot-k8s">{format!(" · {name}")}</span>
                </h4>
                <span class="robot-state">{state}</span>
            </header>
            <ul class="worker-list" aria-label=move || i18n::ROBOT_WORKERS.get(lang.get())>
                <For each=move || workers.get() key=|(i, w)| (*i, w.key.clone(), w.pending, w.merged) let:iw>
                    <li class="worker" data-worker-key=iw.1.key.clone().unwrap_or_default()>
                        <span aria-hidden="true">"⚙ "</span>
                        {format!("#{} {}", iw.0 + 1, iw.1.key.clone().unwrap_or_default())}
                        {(iw.1.pending > 0)
                            .then(|| {
                                view! {
                                    <span class="worker-note">
                                        {move || format!(" · ◔ {} {}", i18n::ROBOT_WAITING_API.get(lang.get()), iw.1.pending)}
                                    </span>
                                }
                            })}
                        {iw
                            .1
                            .dirty
                            .then(|| {
                                let n = iw.1.merged;
                                view! {
                                    <span class="worker-note dirty" data-merged=n.to_string()>
                                        {move || format!(" · ↻ ×{n} {}", i18n::ROBOT_DIRTY.get(lang.get()))}
                                    </span>
                                }
                            })}
                    </li>
                </For>
            </ul>
            <div class="queue" role="group" aria-label=move || i18n::QUEUE_TITLE.get(lang.get())>
                <span class="queue-label">{i18n::tr(lang, i18n::QUEUE_TITLE)}</span>
                <Show when=move || queued.with(Vec::is_empty) && waiting.with(Vec::is_empty)>
                    <span class="queue-empty">{i18n::tr(lang, i18n::QUEUE_EMPTY)}</span>
                </Show>
                <For each=move || queued.get() key=|q| (q.key.clone(), q.adds) let:q>
                    <span class="chip key-chip" class:merged={q.adds > 1} data-key=q.key.clone() data-adds=q.adds.to_string()>
                        {q.key.clone()}
                        {(q.adds > 1)
                            .then(|| {
                                let n = q.adds;
                                view! {
                                    <span class="merged-count" title=move || format!("{n}{}", i18n::QUEUE_MERGED.get(lang.get()))>
                                        {format!(" ×{n}")}
                                    </span>
                                }
                            })}
                    </span>
                </For>
                <For each=move || waiting.get() key=|w| (w.key.clone(), w.due_us, w.failures) let:w>
                    {
                        let w2 = w.clone();
                        view! {
                            <span
                                class="chip key-chip waiting"
                                class:backoff={w.failures > 0}
                                data-key=w.key.clone()
                                data-due-us=w.due_us.to_string()
                                data-failures=w.failures.to_string()
                            >
                                {w.key.clone()}
                                <span class="wait-note">{move || format!(" {}", wait_text(lang.get(), &w2, now.get()))}</span>
                            </span>
                        }
                    }
                </For>
                <Show when=move || more.get() != 0>
                    <span class="chip more">{move || format!("+{} {}", more.get(), i18n::QUEUE_MORE.get(lang.get()))}</span>
                </Show>
            </div>
            <p class="robot-counts">{counts}</p>
            <div class="reconcile" data-reconcile-key=move || last.with(|r| r.as_ref().map(|r| r.key.clone()))>
                <span class="reconcile-label">{i18n::tr(lang, i18n::RECONCILE_TITLE)}</span>
                {move || match last.get() {
                    None => view! { <p class="empty">{i18n::tr(lang, i18n::RECONCILE_NONE)}</p> }.into_any(),
                    Some(r) => {
                        let l = lang.get();
                        let head = format!("{} · {}", r.key, lab_core::view::format_time_us(r.at_us));
                        let line = diff_line(l, r.diff.as_ref(), &r);
                        view! {
                            <p class="reconcile-key">{head}</p>
                            <p class="reconcile-diff">{line}</p>
                            <ul class="action-list">
                                {r
                                    .actions
                                    .iter()
                                    .map(|a| {
                                        view! {
                                            <li
                                                class="action"
                                                data-verb=a.verb
                                                data-resource=a.resource
                                                data-code=a.code.map_or(String::new(), |c| c.to_string())
                                            >
                                                {action_line(a)}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
                {move || {
                    latest
                        .get()
                        .map(|r| {
                            let l = lang.get();
                            view! {
                                <p class="hint reconcile-latest">
                                    {format!(
                                        "{}: {} · {} · {}",
                                        i18n::RECONCILE_LATER.get(l),
                                        r.key,
                                        lab_core::view::format_time_us(r.at_us),
                                        diff_line(l, r.diff.as_ref(), &r),
                                    )}
                                </p>
                            }
                        })
                }}
            </div>
        </article>
    }
}

/// A small robot (drawn, so it needs no emoji font): head, antenna, eyes, arms.
#[component]
fn RobotIcon() -> impl IntoView {
    view! {
        <svg class="robot-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <line x1="12" y1="2" x2="12" y2="6" />
            <circle cx="12" cy="2.5" r="1.5" />
            <rect x="5" y="6" width="14" height="11" rx="3" />
            <circle class="robot-eye" cx="9.5" cy="11" r="1.6" />
            <circle class="robot-eye" cx="14.5" cy="11" r="1.6" />
            <line x1="2" y1="12" x2="5" y2="12" />
            <line x1="19" y1="12" x2="22" y2="12" />
            <rect x="8" y="18" width="8" height="4" rx="1" />
        </svg>
    }
}

/// The Deployments, each with − and + (`kubectl scale deployment NAME --replicas=N`).
#[component]
fn DeploymentBoard(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let deployments: Memo<Vec<DeploymentView>> =
        Memo::new(move |_| lab.view.with(|v| v.factory.as_ref().map(|f| f.deployments.clone()).unwrap_or_default()));
    view! {
        <section id="factory-deployments" class="panel deployment-board" aria-labelledby="deployments-title">
            <h3 id="deployments-title">{t(i18n::DEPLOYMENTS_TITLE)}</h3>
            <Show when=move || deployments.with(Vec::is_empty)>
                <p class="empty">{t(i18n::DEPLOYMENTS_EMPTY)}</p>
            </Show>
            <ul class="deployment-list">
                <For
                    each=move || deployments.with(|d| d.iter().map(|d| (d.namespace.clone(), d.name.clone())).collect::<Vec<_>>())
                    key=|k| k.clone()
                    let:k
                >
                    <DeploymentRow lab deployments namespace=k.0 name=k.1 />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn DeploymentRow(lab: Lab, deployments: Memo<Vec<DeploymentView>>, namespace: String, name: String) -> impl IntoView {
    let lang = lab.lang;
    let (ns, nm) = (namespace.clone(), name.clone());
    let d = Memo::new(move |_| deployments.with(|d| d.iter().find(|d| d.namespace == ns && d.name == nm).cloned()));
    let replicas = Memo::new(move |_| d.with(|d| d.as_ref().map_or(0, |d| d.replicas)));
    let label = format!("{namespace}/{name}");
    let id = format!("scale-{namespace}-{name}");
    let cmd = {
        let (namespace, name) = (namespace.clone(), name.clone());
        move |n: u64| scale_command(&namespace, &name, n)
    };
    let (cmd_down, cmd_up) = (cmd.clone(), cmd.clone());
    let (name_down, name_up) = (name.clone(), name.clone());
    view! {
        <li class="deployment" data-deployment=label.clone() data-replicas=move || replicas.get().to_string()>
            <span class="deployment-name">{label.clone()}</span>
            <span class="deployment-state">
                {move || {
                    let l = lang.get();
                    d.with(|d| {
                        d.as_ref()
                            .map(|d| {
                                format!(
                                    "replicas {} · {} {}/{} · updated {} · available {}",
                                    d.replicas,
                                    i18n::REPLICAS_READY.get(l),
                                    d.ready,
                                    d.replicas,
                                    d.updated,
                                    d.available
                                )
                            })
                    })
                }}
            </span>
            <button
                id=format!("{id}-down")
                type="button"
                class="small"
                disabled=move || replicas.get() == 0
                title={
                    let c = cmd_down.clone();
                    move || c(replicas.get().saturating_sub(1))
                }
                aria-label=move || format!("{name_down} {} → {}", i18n::SCALE_DOWN.get(lang.get()), replicas.get().saturating_sub(1))
                on:click={
                    let c = cmd_down.clone();
                    move |_| {
                        let n = replicas.get_untracked();
                        if n > 0 {
                            if let Some(line) = c(n - 1) {
                                lab.submit(&line);
                            }
                        }
                    }
                }
            >
                "− 1"
            </button>
            <button
                id=format!("{id}-up")
                type="button"
                class="small"
                disabled={move || replicas.get() >= SCALE_MAX}
                title={
                    let c = cmd_up.clone();
                    move || c(replicas.get() + 1)
                }
                aria-label=move || format!("{name_up} {} → {}", i18n::SCALE_UP.get(lang.get()), replicas.get() + 1)
                on:click={
                    let c = cmd_up.clone();
                    move |_| {
                        let n = replicas.get_untracked();
                        if n < SCALE_MAX {
                            if let Some(line) = c(n + 1) {
                                lab.submit(&line);
                            }
                        }
                    }
                }
            >
                "+ 1"
            </button>
        </li>
    }
}

/// The nodes, each with its status in words, its taints, what the lab knows that the API
/// server may not yet, its pods as chips, and (workers) crash/restart; then the pods no node
/// holds yet.
#[component]
fn NodeStrip(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let nodes: Memo<Vec<NodeView>> =
        Memo::new(move |_| lab.view.with(|v| v.factory.as_ref().map(|f| f.nodes.clone()).unwrap_or_default()));
    let unscheduled: Memo<(Vec<PodView>, usize)> = Memo::new(move |_| {
        lab.view.with(|v| v.factory.as_ref().map(|f| (f.unscheduled.clone(), f.unscheduled_hidden)).unwrap_or_default())
    });
    view! {
        <section id="factory-nodes" class="node-strip" aria-labelledby="nodes-title">
            <h3 id="nodes-title">{t(i18n::NODES_TITLE)}</h3>
            <div class="node-grid">
                <For each=move || nodes.with(|n| n.iter().map(|n| n.name.clone()).collect::<Vec<_>>()) key=|n| n.clone() let:name>
                    <NodeBox lab nodes name />
                </For>
                <Show when=move || unscheduled.with(|u| !u.0.is_empty())>
                    <div class="node unscheduled" data-node="">
                        <p class="node-name">{t(i18n::UNSCHEDULED)}</p>
                        <PodChips lang pods=Signal::derive(move || unscheduled.with(|u| u.0.clone())) hidden=Signal::derive(move || unscheduled.with(|u| u.1)) />
                    </div>
                </Show>
            </div>
        </section>
    }
}

#[component]
fn NodeBox(lab: Lab, nodes: Memo<Vec<NodeView>>, name: String) -> impl IntoView {
    let lang = lab.lang;
    let nm = name.clone();
    let node = Memo::new(move |_| nodes.with(|n| n.iter().find(|n| n.name == nm).cloned()));
    let kubelet_up = Memo::new(move |_| node.with(|n| n.as_ref().is_none_or(|n| n.kubelet_up)));
    let worker = node.with_untracked(|n| n.as_ref().is_some_and(|n| !n.control_plane));
    let pods = Signal::derive(move || node.with(|n| n.as_ref().map(|n| n.pods.clone()).unwrap_or_default()));
    let hidden = Signal::derive(move || node.with(|n| n.as_ref().map_or(0, |n| n.pods_hidden)));
    let button_name = name.clone();
    view! {
        <div
            class="node"
            class:control-plane=!worker
            class:not-ready=move || node.with(|n| n.as_ref().is_some_and(|n| n.ready != "True"))
            class:kubelet-down=move || !kubelet_up.get()
            data-node=name.clone()
            data-ready=move || node.with(|n| n.as_ref().map_or("", |n| n.ready))
            data-kubelet=move || if kubelet_up.get() { "up" } else { "down" }
        >
            <p class="node-name">
                <span class="node-role">
                    {move || if worker { i18n::NODE_WORKER.get(lang.get()) } else { i18n::NODE_CONTROL_PLANE.get(lang.get()) }}
                </span>
                " "
                {name.clone()}
            </p>
            <p class="node-status">{move || node.with(|n| n.as_ref().map(|n| node_status(lang.get(), n)))}</p>
            {move || node.with(|n| n.as_ref().and_then(|n| kubelet_truth(lang.get(), n))).map(|s| view! { <p class="node-truth">{s}</p> })}
            <ul class="taints">
                {move || {
                    node.with(|n| {
                        n.as_ref()
                            .map(|n| {
                                n.taints
                                    .iter()
                                    .map(|t| view! { <li class="taint" data-taint=t.clone()>{format!("⚠ {t}")}</li> })
                                    .collect_view()
                            })
                    })
                }}
            </ul>
            <PodChips lang pods hidden />
            <p class="hint node-system">
                {move || node.with(|n| n.as_ref().map(|n| format!("{} {}", i18n::NODE_SYSTEM_PODS.get(lang.get()), n.system_pods)))}
            </p>
            {worker
                .then(|| {
                    let n1 = button_name.clone();
                    let n2 = button_name.clone();
                    let n3 = button_name.clone();
                    view! {
                        <button
                            id=format!("node-{button_name}-toggle")
                            type="button"
                            class="small"
                            title=move || node_command(&n1, kubelet_up.get())
                            aria-label=move || {
                                let l = lang.get();
                                format!("{n2}: {}", if kubelet_up.get() { i18n::NODE_CRASH.get(l) } else { i18n::NODE_RESTART.get(l) })
                            }
                            on:click=move |_| {
                                if let Some(line) = node_command(&n3, kubelet_up.get_untracked()) {
                                    lab.submit(&line);
                                }
                            }
                        >
                            {move || if kubelet_up.get() { i18n::NODE_CRASH.get(lang.get()) } else { i18n::NODE_RESTART.get(lang.get()) }}
                        </button>
                    }
                })}
        </div>
    }
}

#[component]
fn PodChips(
    lang: RwSignal<Lang>,
    #[prop(into)] pods: Signal<Vec<PodView>>,
    #[prop(into)] hidden: Signal<usize>,
) -> impl IntoView {
    view! {
        <ul class="pod-list">
            <Show when=move || pods.with(Vec::is_empty) && hidden.get() == 0>
                <li class="empty">{i18n::tr(lang, i18n::NODE_NO_PODS)}</li>
            </Show>
            <For each=move || pods.get() key=|p| (p.namespace.clone(), p.name.clone(), p.status.clone()) let:p>
                <li class="pod" data-pod=p.name.clone() data-phase=phase_attr(p.phase) data-status=p.status.clone()>
                    <span class="pod-state">
                        <span class="pod-glyph" aria-hidden="true">{phase_glyph(p.phase)}</span>
                        " "
                        <span class="pod-status">{p.status.clone()}</span>
                    </span>
                    <span class="pod-name">{if p.namespace == "default" { p.name.clone() } else { format!("{}/{}", p.namespace, p.name) }}</span>
                </li>
            </For>
            <Show when=move || hidden.get() != 0>
                <li class="more">{move || format!("+{} {}", hidden.get(), i18n::PODS_MORE.get(lang.get()))}</li>
            </Show>
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab_core::view::FactoryView;

    #[test]
    fn the_buttons_submit_the_terminal_lines_and_they_run() {
        assert_eq!(
            scale_command("default", "nginx", 4).as_deref(),
            Some("kubectl scale deployment nginx --replicas=4")
        );
        assert_eq!(scale_command("web", "a", 0).as_deref(), Some("kubectl scale deployment a --replicas=0 -n web"));
        assert_eq!(scale_command("default", "x --all", 1), None);
        assert_eq!(
            node_command("challenge-cluster-worker", true).as_deref(),
            Some("lab node crash challenge-cluster-worker")
        );
        assert_eq!(instance_command("kube-controller-manager", 1, true), "lab controller-manager crash 1");
        assert_eq!(instance_command("kube-scheduler", 2, false), "lab scheduler restart 2");
        let mut w = lab_core::World::with_kubernetes(1, 3);
        let mut run = |line: &str| {
            let id = w.submit(line);
            w.run_until_done(id);
            assert!(!w.commands()[id as usize].failed, "{line}");
        };
        run("kubectl create deployment nginx --image=nginx --replicas=1");
        run(&scale_command("default", "nginx", 2).unwrap());
        run(&node_command("challenge-cluster-worker", true).unwrap());
        run(&node_command("challenge-cluster-worker", false).unwrap());
        run(&instance_command("kube-controller-manager", 1, true));
        run(&instance_command("kube-controller-manager", 1, false));
        run(&instance_command("kube-scheduler", 2, true));
        let f: FactoryView = w.factory_view().unwrap();
        assert_eq!(f.deployments[0].replicas, 2);
    }

    fn action(verb: &'static str, resource: &'static str, name: &str, code: Option<u16>) -> ActionView {
        ActionView { verb, resource, subresource: "", name: name.into(), code }
    }

    #[test]
    fn a_reconcile_reads_as_desired_current_and_the_writes() {
        let r = ReconcileView {
            key: "default/nginx-7854ff8877".into(),
            at_us: 0,
            diff: Some(Diff { what: "replicas".into(), desired: "5".into(), current: "3".into() }),
            planned: 2,
            actions: vec![action("create", "pods", "nginx-a", Some(201)), action("create", "pods", "", None)],
        };
        assert_eq!(diff_line(Lang::En, r.diff.as_ref(), &r), "replicas: desired 5 / current 3 → create pods ×2");
        assert_eq!(diff_line(Lang::Ko, r.diff.as_ref(), &r), "replicas: 원하는 5 / 현재 3 → create pods ×2");
        assert_eq!(action_line(&r.actions[0]), "✓ 201 create pods nginx-a");
        assert_eq!(action_line(&r.actions[1]), "◔ create pods");
        assert_eq!(action_line(&action("update", "replicasets", "x", Some(409))), "⊘ 409 update replicasets x");
        let slow_start = ReconcileView { planned: 7, actions: r.actions[..1].to_vec(), ..r.clone() };
        assert_eq!(actions_summary(&slow_start.actions, slow_start.planned), "create pods, +6");
        let in_sync = ReconcileView {
            planned: 0,
            actions: vec![],
            diff: Some(Diff { current: "5".into(), ..r.diff.clone().unwrap() }),
            ..r
        };
        assert_eq!(
            diff_line(Lang::En, in_sync.diff.as_ref(), &in_sync),
            "replicas: desired 5 / current 5 ✓ in sync — nothing to do"
        );
    }

    #[test]
    fn parked_keys_say_when_they_come_back_and_why() {
        let backoff = WaitingKeyView { key: "default/web".into(), due_us: 3_500_000, failures: 3 };
        assert_eq!(wait_text(Lang::En, &backoff, 1_000_000), "⟳ retry in 2.5s (3 failures)");
        assert_eq!(wait_text(Lang::Ko, &backoff, 1_000_000), "⟳ 2.5s 후 재시도 (실패 3)");
        let later = WaitingKeyView { failures: 0, ..backoff };
        assert_eq!(wait_text(Lang::En, &later, 9_000_000), "◷ again in 0.0s");
    }

    #[test]
    fn node_state_is_words_not_colour() {
        let mut n = NodeView {
            name: "challenge-cluster-worker".into(),
            control_plane: false,
            ready: "True",
            unschedulable: false,
            taints: vec![],
            kubelet_up: false,
            reachable: true,
            pods: vec![],
            pods_hidden: 0,
            system_pods: 2,
        };
        assert_eq!(node_status(Lang::En, &n), "✓ Ready");
        assert_eq!(
            kubelet_truth(Lang::En, &n).unwrap(),
            "⚠ kubelet down (really) — the API server learns it 40 s later"
        );
        n.ready = "Unknown";
        assert_eq!(node_status(Lang::En, &n), "? NotReady (Unknown) — kubelet stopped reporting");
        assert_eq!(kubelet_truth(Lang::En, &n).unwrap(), "⚠ kubelet down (really)");
        n.kubelet_up = true;
        assert_eq!(kubelet_truth(Lang::En, &n), None);
        for p in
            [PodPhase::Pending, PodPhase::ContainerCreating, PodPhase::Running, PodPhase::Terminating, PodPhase::Other]
        {
            assert!(!phase_glyph(p).is_empty() && !phase_attr(p).is_empty());
        }
    }
}
