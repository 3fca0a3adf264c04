//! The bank vault, live: etcd members as vaults, API servers as tellers in front of them, the
//! partition line, and Raft's messages in flight (handout Part 1, "ETCD = 은행 금고").

use lab_core::etcd::raft::Role;
use lab_core::i18n::Lang;
use lab_core::view::{EntryView, MemberView, MessageClass, MessageView};
use lab_core::world::DISK_LATENCY_US_DEFAULT;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::geometry::{
    self, num, Layout, HEIGHT, TELLER_H, TELLER_W, TELLER_Y, VAULT_H, VAULT_TOP, VAULT_W, VIEW_BOX, WIDTH,
};
use crate::i18n::{self, Tr};
use crate::lab::Lab;

/// `data-role` of a member.
pub fn role_attr(role: Role) -> &'static str {
    match role {
        Role::Leader => "leader",
        Role::Follower => "follower",
        Role::PreCandidate => "pre-candidate",
        Role::Candidate => "candidate",
    }
}

/// The short words written beside a message in flight (the full name is in the legend).
pub fn short_label(m: &MessageView) -> String {
    match (m.class, m.is_reply) {
        (MessageClass::Vote, false) => "vote?".into(),
        (MessageClass::Vote, true) => if m.rejected { "no" } else { "yes" }.into(),
        (MessageClass::PreVote, false) => "pre-vote?".into(),
        (MessageClass::PreVote, true) => if m.rejected { "pre: no" } else { "pre: yes" }.into(),
        (MessageClass::Append, false) if m.label == "Proposal" => "propose".into(),
        (MessageClass::Append, false) if m.entries > 0 => format!("append ×{}", m.entries),
        (MessageClass::Append, false) => "append".into(),
        (MessageClass::Append, true) => if m.rejected { "nack" } else { "ack" }.into(),
        (MessageClass::Heartbeat, _) => String::new(),
        (MessageClass::Read, false) => "read index?".into(),
        (MessageClass::Read, true) => "read index".into(),
        (MessageClass::Snapshot, _) => "snapshot".into(),
        (MessageClass::Client, false) => "put".into(),
        (MessageClass::Client, true) => "OK".into(),
    }
}

/// A scale factor to a thousandth (integer formatting only).
fn scale_text(s: f64) -> String {
    let t = (s * 1000.0).round() as i64;
    format!("{}.{:03}", t / 1000, t % 1000)
}

/// The CSS transform that puts a vault or teller at `x` (off-screen until laid out), `y`.
fn placed(x: Option<f64>, y: f64, scale: f64) -> String {
    format!("transform: translate({}px, {}px) scale({})", num(x.unwrap_or(-500.0)), num(y), scale_text(scale),)
}

fn class_name(c: MessageClass) -> &'static str {
    match c {
        MessageClass::Vote => "vote",
        MessageClass::PreVote => "prevote",
        MessageClass::Append => "append",
        MessageClass::Heartbeat => "heartbeat",
        MessageClass::Read => "read",
        MessageClass::Snapshot => "snapshot",
        MessageClass::Client => "client",
    }
}

/// A stand-in while a member disappears (fewer members in a new scenario).
fn placeholder(id: u8) -> MemberView {
    MemberView {
        id,
        short: format!("etcd-{id}"),
        node_name: String::new(),
        up: false,
        role: Role::Follower,
        term: 0,
        vote: None,
        leader: None,
        commit: 0,
        applied: 0,
        last_index: 0,
        election_elapsed_ticks: 0,
        election_timeout_ticks: 0,
        group: 0,
        log_tail: Vec::new(),
        keys: 0,
        revision: 1,
        progress: None,
        stable: 0,
        compacted: 0,
        snapshot_index: None,
        disk_latency_us: DISK_LATENCY_US_DEFAULT,
        disk_busy: false,
        held_replies: 0,
        transferee: None,
        learner: false,
        removed: false,
    }
}

/// Side-of-quorum words for the partition line: "3개 중 2개 · 과반". A side has a quorum
/// when more than half of all members stand on it *and are up*.
pub fn quorum_label(lang: Lang, side: usize, up: usize, total: usize) -> String {
    let quorum = up > total / 2;
    let up_note = |ko: bool| match (side == up, ko) {
        (true, _) => String::new(),
        (false, true) => format!(" (동작 중 {up})"),
        (false, false) => format!(" ({up} up)"),
    };
    match lang {
        Lang::Ko => {
            format!("{total}개 중 {side}개{} · {}", up_note(true), if quorum { "과반 (quorum)" } else { "과반 아님" })
        }
        Lang::En => format!("{side} of {total}{} · {}", up_note(false), if quorum { "quorum" } else { "no quorum" }),
    }
}

#[component]
pub fn VaultDiagram(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let count = Memo::new(move |_| lab.view.with(|v| v.members.len() as u8));
    let layout = Memo::new(move |_| {
        let show_line = lab.partition_mode.get();
        lab.view.with(|v| {
            let sides: Vec<u8> = v.members.iter().map(|m| geometry::side_of_group(m.group)).collect();
            geometry::layout(&sides, show_line || v.partitioned)
        })
    });
    let now = Memo::new(move |_| lab.view.with(|v| v.now_us));
    let messages = Memo::new(move |_| lab.view.with(|v| v.messages.clone()));
    let hidden = Memo::new(move |_| lab.view.with(|v| v.messages_hidden));
    let t = move |x: Tr| i18n::tr(lang, x);

    view! {
        <svg
            id="vault-diagram"
            class="diagram"
            viewBox=VIEW_BOX
            role="group"
            aria-label=t(i18n::DIAGRAM)
        >
            <text class="room-label" x="12" y="24">
                {t(i18n::VAULT_ROOM)}
            </text>
            <text class="room-label" x="12" y=num(TELLER_Y - TELLER_H / 2.0 - 14.0)>
                {t(i18n::TELLER_ROW)}
            </text>
            <PartitionLine lab layout />
            <For each=move || 1..=count.get() key=|id| *id let:id>
                <Wire id layout />
            </For>
            <For each=move || 1..=count.get() key=|id| *id let:id>
                <Vault lab id layout />
            </For>
            <For each=move || 1..=count.get() key=|id| *id let:id>
                <Teller lab id layout />
            </For>
            <g class="messages" aria-hidden="true">
                <For
                    each=move || messages.get()
                    key=|m| (m.key, m.will_drop)
                    let:m
                >
                    <MessageToken m layout now reduced=lab.reduced_motion.get_untracked() />
                </For>
            </g>
            <Show when=move || { hidden.get() > 0 }>
                <text class="hidden-count" x=num(WIDTH - 12.0) y="24" text-anchor="end">
                    {move || format!("+{} {}", hidden.get(), i18n::MORE_MESSAGES.get(lang.get()))}
                </text>
            </Show>
        </svg>
    }
}

#[component]
fn PartitionLine(lab: Lab, layout: Memo<Layout>) -> impl IntoView {
    let lang = lab.lang;
    let line_x = Memo::new(move |_| layout.with(|l| l.line_x));
    // Per side: (members, members up), and the member count.
    let counts = Memo::new(move |_| {
        let sides = layout.with(|l| l.sides.clone());
        lab.view.with(|v| {
            let mut c = [(0usize, 0usize); 2];
            for (m, &s) in v.members.iter().zip(&sides) {
                let e = &mut c[usize::from(s.min(1))];
                e.0 += 1;
                e.1 += usize::from(m.up);
            }
            (c[0], c[1], v.members.len())
        })
    });
    move || {
        line_x.get().map(|x| {
            view! {
                <g class="partition" style=format!("transform: translate({}px, 0px)", num(x))>
                    <line class="partition-line" x1="0" y1="40" x2="0" y2=num(HEIGHT - 8.0) />
                    <text class="partition-label" x="0" y="30" text-anchor="middle">
                        "✂ "
                        {i18n::tr(lang, i18n::PARTITION_LINE)}
                    </text>
                    <text class="quorum-label" x="-14" y="58" text-anchor="end">
                        {move || {
                            let (l, _, n) = counts.get();
                            quorum_label(lang.get(), l.0, l.1, n)
                        }}
                    </text>
                    <text class="quorum-label" x="14" y="58" text-anchor="start">
                        {move || {
                            let (_, r, n) = counts.get();
                            if r.0 == 0 {
                                i18n::MOVE_HERE.get(lang.get()).to_string()
                            } else {
                                quorum_label(lang.get(), r.0, r.1, n)
                            }
                        }}
                    </text>
                </g>
            }
        })
    }
}

/// An fsync latency as `lab disk` takes it: `500ms`, `1ms`, `2s`, `250µs`.
pub fn latency_text(us: u64) -> String {
    if us >= 1_000_000 && us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}µs")
    }
}

/// Width available to a line of text inside a vault (from x = -60).
pub const LINE_W: f64 = 124.0;

/// An SVG `textLength` that squeezes `text` into `width` when it would overflow the vault at
/// `font_px` (estimated from typical sans-serif advance widths: Hangul 1 em, Latin about 0.6);
/// `None` when it fits.
pub fn fit_length(text: &str, font_px: f64, width: f64) -> Option<String> {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            ' ' | '·' | 'i' | 'l' | 'j' | 't' | 'f' | 'r' | '.' | ',' | ':' | '(' | ')' => 0.32,
            'm' | 'w' | 'M' | 'W' | '@' | '—' => 0.9,
            c if c.is_ascii() => 0.6,
            _ => 1.0,
        })
        .sum();
    (em * font_px > width).then(|| num(width))
}

/// The snapshot line of a vault: `스냅샷 @120` / `snapshot @120`, or that there is none.
pub fn snapshot_text(lang: Lang, m: &MemberView) -> String {
    match m.snapshot_index {
        Some(i) => format!("{} @{i}", i18n::SNAPSHOT_AT.get(lang)),
        None => i18n::NO_SNAPSHOT.get(lang).to_string(),
    }
}

/// The log line of a vault: the entries it still holds (after the compacted prefix) and how
/// many are not on disk yet: `log 111–130 · 3 unsynced`.
pub fn log_text(lang: Lang, m: &MemberView) -> String {
    let first = m.compacted + 1;
    let range = match (m.last_index >= first, lang) {
        (true, _) => format!("{first}–{}", m.last_index),
        (false, _) if m.compacted == 0 => "—".to_string(),
        (false, Lang::Ko) => format!("— (≤{} 압축됨)", m.compacted),
        (false, Lang::En) => format!("— (≤{} compacted)", m.compacted),
    };
    let unsynced = m.last_index.saturating_sub(m.stable);
    let mut s = format!("{} {range}", i18n::LOG.get(lang));
    if unsynced > 0 {
        match lang {
            Lang::Ko => s.push_str(&format!(" · {} {unsynced}", i18n::UNSYNCED.get(lang))),
            Lang::En => s.push_str(&format!(" · {unsynced} {}", i18n::UNSYNCED.get(lang))),
        }
    }
    s
}

/// The disk line of a vault: writing now, slow, or fine, with the fsync latency.
pub fn disk_text(lang: Lang, m: &MemberView) -> String {
    let latency = latency_text(m.disk_latency_us);
    if m.up && m.disk_busy {
        format!("✎ {} · {latency}", i18n::DISK_WRITING.get(lang))
    } else if m.disk_latency_us != DISK_LATENCY_US_DEFAULT {
        format!("{}: fsync {latency}", i18n::DISK_SLOW.get(lang))
    } else {
        format!("{} · fsync {latency}", i18n::DISK_OK.get(lang))
    }
}

/// A vault attribute read from its member (plain functions: one closure type for them all,
/// so the bundle carries one copy of the attribute code).
fn attr(member: Memo<MemberView>, f: fn(&MemberView) -> String) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || member.with(f)
}

/// A line of vault text in the reader's language (plain functions, as `attr`).
fn text(lang: RwSignal<Lang>, member: Memo<MemberView>, f: fn(Lang, &MemberView) -> String) -> Memo<String> {
    Memo::new(move |_| {
        let l = lang.get();
        member.with(|m| f(l, m))
    })
}

#[component]
fn Vault(lab: Lab, id: u8, layout: Memo<Layout>) -> impl IntoView {
    let lang = lab.lang;
    let member = Memo::new(move |_| {
        lab.view.with(|v| v.members.get(usize::from(id) - 1).cloned().unwrap_or_else(|| placeholder(id)))
    });
    let x = Memo::new(move |_| layout.with(|l| l.x.get(usize::from(id) - 1).copied()));
    let side = Memo::new(move |_| layout.with(|l| l.sides.get(usize::from(id) - 1).copied()));
    let scale = Memo::new(move |_| layout.with(|l| l.scale));
    let up = Memo::new(move |_| member.with(|m| m.up));
    let role = Memo::new(move |_| member.with(|m| m.role));
    let term = Memo::new(move |_| member.with(|m| m.term));
    let disk = Memo::new(move |_| member.with(|m| (m.disk_latency_us != DISK_LATENCY_US_DEFAULT, m.up && m.disk_busy)));
    let transferee = Memo::new(move |_| member.with(|m| if m.up { m.transferee } else { None }));
    let selected = move || lab.selected.get() == id;
    let leader = move || up.get() && role.get() == Role::Leader;
    let kind = move || {
        if !up.get() {
            "down"
        } else if member.with(|m| m.learner) {
            "learner"
        } else {
            role_attr(role.get())
        }
    };
    let aria = move || {
        let l = lang.get();
        member.with(|m| {
            let handing = m.transferee.map(|t| format!(" {} etcd-{t}.", i18n::HANDING_OVER.get(l))).unwrap_or_default();
            format!(
                "{} ({}): {}, {} {}, {} {}, {} {}.{handing} {}; {}; {}. {}",
                m.short,
                m.node_name,
                i18n::role_label(l, m),
                i18n::TERM.get(l),
                m.term,
                i18n::COMMIT.get(l),
                m.commit,
                i18n::APPLIED.get(l),
                m.applied,
                snapshot_text(l, m),
                log_text(l, m),
                disk_text(l, m),
                i18n::vault_action(l, m.up, lab.partition_mode.get()),
            )
        })
    };
    let on_key = move |ev: KeyboardEvent| {
        let k = ev.key();
        if k == "Enter" || k == " " {
            ev.prevent_default();
            lab.press_vault(id);
        }
    };
    let half_w = VAULT_W / 2.0;
    let term_line = text(lang, member, |l, m| {
        let vote = m.vote.map_or("—".to_string(), |v| format!("etcd-{v}"));
        format!("{} {} · {} {}", i18n::TERM.get(l), m.term, i18n::VOTE.get(l), vote)
    });
    let commit_line = text(lang, member, |l, m| {
        format!("{} {} · {} {}", i18n::COMMIT.get(l), m.commit, i18n::APPLIED.get(l), m.applied)
    });
    let snap_line = text(lang, member, snapshot_text);
    let log_line = text(lang, member, log_text);
    let disk_line = text(lang, member, disk_text);

    view! {
        <g
            class=move || format!("vault vault-{}", kind())
            class:selected=selected
            role="button"
            tabindex="0"
            data-member=id.to_string()
            data-role=move || role_attr(role.get())
            data-learner=attr(member, |m| m.learner.to_string())
            data-removed=attr(member, |m| m.removed.to_string())
            data-term=move || term.get().to_string()
            data-up=move || up.get().to_string()
            data-side=move || side.get().unwrap_or(0).to_string()
            data-commit=attr(member, |m| m.commit.to_string())
            data-applied=attr(member, |m| m.applied.to_string())
            data-revision=attr(member, |m| m.revision.to_string())
            data-snapshot=attr(member, |m| m.snapshot_index.map_or(String::new(), |i| i.to_string()))
            data-compacted=attr(member, |m| m.compacted.to_string())
            data-disk-slow=attr(member, |m| (m.disk_latency_us != DISK_LATENCY_US_DEFAULT).to_string())
            data-disk-busy=attr(member, |m| (m.up && m.disk_busy).to_string())
            data-transferee=attr(member, |m| m.transferee.filter(|_| m.up).map_or(String::new(), |t| t.to_string()))
            aria-label=aria
            style=move || placed(x.get(), VAULT_TOP, scale.get())
            on:click=move |_| lab.press_vault(id)
            on:keydown=on_key
        >
            <rect
                class="focus-ring"
                x=num(-half_w - 9.0)
                y="-44"
                width=num(VAULT_W + 18.0)
                height=num(VAULT_H + 54.0)
                rx="16"
            />
            <rect
                class="select-ring"
                x=num(-half_w - 5.0)
                y="-5"
                width=num(VAULT_W + 10.0)
                height=num(VAULT_H + 10.0)
                rx="13"
            />
            <g transform=move || if leader() { "scale(1.08)" } else { "scale(1)" }>
                <Show when=leader>
                    <path
                        class="crown"
                        class:handing-over=move || transferee.get().is_some()
                        d="M-24 -6 L-24 -30 L-12 -17 L0 -36 L12 -17 L24 -30 L24 -6 Z"
                    />
                </Show>
                <rect
                    class="vault-body"
                    x=num(-half_w)
                    y="0"
                    width=num(VAULT_W)
                    height=num(VAULT_H)
                    rx="10"
                />
                <rect
                    class="role-band"
                    x=num(-half_w)
                    y="0"
                    width=num(VAULT_W)
                    height="24"
                    rx="10"
                />
                <text class="role-text" x="0" y="16" text-anchor="middle">
                    {move || member.with(|m| i18n::role_label(lang.get(), m))}
                </text>
                <g class="dial" aria-hidden="true">
                    <circle cx="-50" cy="41" r="10" />
                    <path d="M-50 32 V50 M-59 41 H-41" />
                    <circle cx="-50" cy="41" r="3" />
                </g>
                <text class="vault-name" x="-35" y="47">
                    {move || member.with(|m| m.short.clone())}
                </text>
                <DiskIcon disk />
                <FitText class="vault-line" x=-60.0 y=67.0 font_px=11.5 text=term_line />
                <FitText class="vault-line" x=-60.0 y=82.0 font_px=11.5 text=commit_line />
                <ElectionTimer lang member transferee />
                <g class="snapshot-mark" class:has-snapshot=move || member.with(|m| m.snapshot_index.is_some())>
                    <rect class="snap-box" x="-60" y="111" width="11" height="9" rx="1.5" />
                    <path class="snap-strap" d="M-60 114.5 H-49" />
                    <FitText class="vault-small snap-text" x=-45.0 y=119.5 font_px=10.0 text=snap_line />
                </g>
                <FitText class="vault-small log-text" x=-60.0 y=132.5 font_px=10.0 text=log_line />
                <g class="disk-line" class:disk-slow=move || disk.get().0 class:disk-busy=move || disk.get().1>
                    <FitText class="vault-small disk-text" x=-60.0 y=145.5 font_px=10.0 text=disk_line />
                </g>
                <LogTail member />
                <text class="vault-below" x="0" y=num(VAULT_H + 17.0) text-anchor="middle">
                    {move || {
                        let l = lang.get();
                        member.with(|m| {
                            let rev = format!("{} {}", i18n::REVISION.get(l), m.revision);
                            match m.progress {
                                Some((matched, next)) => format!(
                                    "{rev} · {} {matched} · {} {next}",
                                    i18n::MATCH.get(l),
                                    i18n::NEXT.get(l),
                                ),
                                None => rev,
                            }
                        })
                    }}
                </text>
                <Show when=move || !up.get()>
                    <g class="down-mark" aria-hidden="true">
                        <path d=format!(
                            "M{} 30 L{} {} M{} 30 L{} {}",
                            -half_w + 8.0,
                            half_w - 8.0,
                            VAULT_H - 8.0,
                            half_w - 8.0,
                            -half_w + 8.0,
                            VAULT_H - 8.0,
                        ) />
                    </g>
                </Show>
            </g>
        </g>
    }
}

/// A line of text inside a vault, squeezed to fit when it would overflow (long numbers,
/// Korean words).
#[component]
fn FitText(class: &'static str, x: f64, y: f64, font_px: f64, text: Memo<String>) -> impl IntoView {
    let width = LINE_W - (x + 60.0);
    view! {
        <text
            class=class
            x=num(x)
            y=num(y)
            textLength=move || text.with(|t| fit_length(t, font_px, width))
            lengthAdjust="spacingAndGlyphs"
        >
            {move || text.get()}
        </text>
    }
}

/// The member's disk, top right of the vault: a cylinder; an hourglass beside it when the disk
/// is slow, an arrow into it while a write (fsync) is in flight.
#[component]
fn DiskIcon(disk: Memo<(bool, bool)>) -> impl IntoView {
    view! {
        <g
            class="disk-icon"
            class:slow=move || disk.get().0
            class:busy=move || disk.get().1
            aria-hidden="true"
        >
            <path
                class="disk-body"
                d="M44 33 V49 A10 3.5 0 0 0 64 49 V33 A10 3.5 0 0 0 44 33 A10 3.5 0 0 0 64 33"
            />
            <Show when=move || disk.get().0>
                <path class="hourglass" d="M30 31 H40 L35 40 L40 49 H30 L35 40 Z" />
            </Show>
            <Show when=move || disk.get().1>
                <path class="disk-arrow" d="M54 36 V46 M50 42 L54 46 L58 42" />
            </Show>
        </g>
    }
}

#[component]
fn ElectionTimer(lang: RwSignal<Lang>, member: Memo<MemberView>, transferee: Memo<Option<u8>>) -> impl IntoView {
    const BAR_W: f64 = 120.0;
    let timer = Memo::new(move |_| {
        member.with(|m| (m.up && m.role != Role::Leader, m.election_elapsed_ticks, m.election_timeout_ticks.max(1)))
    });
    let text = Memo::new(move |_| {
        let (running, elapsed, timeout) = timer.get();
        let l = lang.get();
        if let Some(t) = transferee.get() {
            format!("{} etcd-{t}", i18n::HANDING_OVER.get(l))
        } else if running {
            format!("{} {}/{}", i18n::TIMER.get(l), elapsed, timeout)
        } else if member.with(|m| m.up) {
            i18n::LEADER_BEATS.get(l).to_string()
        } else {
            format!("{} —", i18n::TIMER.get(l))
        }
    });
    view! {
        <g class="timer" class:handing-over=move || transferee.get().is_some()>
            <FitText class="vault-small timer-text" x=-60.0 y=96.0 font_px=10.0 text />
            <rect class="timer-track" x="-60" y="100" width=num(BAR_W) height="6" rx="3" />
            <rect
                class="timer-fill"
                x="-60"
                y="100"
                height="6"
                rx="3"
                width=move || {
                    let (running, elapsed, timeout) = timer.get();
                    let frac = if running {
                        (f64::from(elapsed) / f64::from(timeout)).min(1.0)
                    } else {
                        0.0
                    };
                    num(BAR_W * frac)
                }
            />
        </g>
    }
}

#[component]
fn LogTail(member: Memo<MemberView>) -> impl IntoView {
    let tail = Memo::new(move |_| member.with(|m| m.log_tail.clone()));
    view! {
        <g class="log">
            <For
                each=move || tail.get().into_iter().enumerate()
                key=|(i, e)| (*i, e.index, e.term, e.committed, e.synced)
                children=move |(i, e)| view! { <LogEntry position=i entry=e /> }
            />
        </g>
    }
}

#[component]
fn LogEntry(position: usize, entry: EntryView) -> impl IntoView {
    let col = (position % 6) as f64;
    let row = (position / 6) as f64;
    let x = -61.0 + col * 20.5;
    let y = 151.0 + row * 22.0;
    let status = if entry.committed { "committed" } else { "uncommitted" };
    let disk = if entry.synced { "synced" } else { "unsynced" };
    let class = format!("entry entry-{status} entry-{disk} term-{}", entry.term % 6);
    // Not on disk yet: the top right corner is cut off (shape, not colour).
    let d = if entry.synced {
        format!("M{} {}h18v20h-18Z", num(x), num(y))
    } else {
        format!("M{} {}h12l6 6v14h-18Z", num(x), num(y))
    };
    view! {
        <g
            class=class
            data-index=entry.index.to_string()
            data-committed=entry.committed.to_string()
            data-synced=entry.synced.to_string()
        >
            <title>{format!("#{} · term {} · {} · {status} · {disk}", entry.index, entry.term, entry.label)}</title>
            <path d=d />
            <text x=num(x + 9.0) y=num(y + 13.5) text-anchor="middle">
                {entry.index.to_string()}
            </text>
        </g>
    }
}

/// The line from a teller up to its vault (drawn beneath both).
#[component]
fn Wire(id: u8, layout: Memo<Layout>) -> impl IntoView {
    let ends = Memo::new(move |_| {
        layout.with(|l| {
            let x = l.x.get(usize::from(id) - 1).copied().unwrap_or(-500.0);
            (x, VAULT_TOP + VAULT_H * l.scale, TELLER_Y - TELLER_H / 2.0 * l.scale)
        })
    });
    view! {
        <line
            class="wire"
            aria-hidden="true"
            x1=move || num(ends.get().0)
            x2=move || num(ends.get().0)
            y1=move || num(ends.get().1 - 20.0)
            y2=move || num(ends.get().2)
        />
    }
}

#[component]
fn Teller(lab: Lab, id: u8, layout: Memo<Layout>) -> impl IntoView {
    let lang = lab.lang;
    let x = Memo::new(move |_| layout.with(|l| l.x.get(usize::from(id) - 1).copied()));
    let scale = Memo::new(move |_| layout.with(|l| l.scale));
    let on_key = move |ev: KeyboardEvent| {
        let k = ev.key();
        if k == "Enter" || k == " " {
            ev.prevent_default();
            lab.press_teller(id);
        }
    };
    let aria = move || match lang.get() {
        Lang::Ko => format!("창구 {id} (API 서버): etcd-{id}를 통해 쓰기 보내기"),
        Lang::En => format!("Teller {id} (API server): send a write through etcd-{id}"),
    };
    let (hw, hh) = (TELLER_W / 2.0, TELLER_H / 2.0);
    view! {
        <g
            class="teller"
            role="button"
            tabindex="0"
            data-teller=id.to_string()
            aria-label=aria
            style=move || placed(x.get(), TELLER_Y, scale.get())
            on:click=move |_| lab.press_teller(id)
            on:keydown=on_key
        >
            <rect
                class="focus-ring"
                x=num(-hw - 7.0)
                y=num(-hh - 7.0)
                width=num(TELLER_W + 14.0)
                height=num(TELLER_H + 14.0)
                rx="12"
            />
            <rect
                class="teller-body"
                x=num(-hw)
                y=num(-hh)
                width=num(TELLER_W)
                height=num(TELLER_H)
                rx="9"
            />
            <text class="teller-name" x="0" y="-4" text-anchor="middle">
                {i18n::tr(lang, i18n::TELLER)}
                " "
                {id.to_string()}
            </text>
            <text class="teller-action" x="0" y="14" text-anchor="middle">
                {"✎ "}
                {i18n::tr(lang, i18n::TELLER_ACTION)}
            </text>
        </g>
    }
}

/// The token drawn for one message: its shape tells its class, a hollow fill a reply, an ✕
/// that it will be dropped.
fn token_shape(m: &MessageView) -> impl IntoView {
    let shape = match m.class {
        MessageClass::Vote => view! { <path class="shape" d="M0 -8 L8 0 L0 8 L-8 0 Z" /> }.into_any(),
        // A pre-vote: the vote's diamond, outlined in dashes (it changes no term).
        MessageClass::PreVote => view! { <path class="shape" d="M0 -7 L7 0 L0 7 L-7 0 Z" /> }.into_any(),
        MessageClass::Append => view! {
            <g class="shape-group">
                <rect class="shape" x="-9" y="-6" width="18" height="12" rx="1.5" />
                <path class="flap" d="M-9 -6 L0 1 L9 -6" />
            </g>
        }
        .into_any(),
        MessageClass::Heartbeat => view! { <circle class="shape" r="5" /> }.into_any(),
        // A read: a small triangle (it asks, it changes nothing).
        MessageClass::Read => view! { <path class="shape" d="M0 -7 L7 6 L-7 6 Z" /> }.into_any(),
        // A snapshot: a whole vault's contents, drawn as a filled box with a strap.
        MessageClass::Snapshot => view! {
            <g class="shape-group">
                <rect class="shape" x="-11" y="-9" width="22" height="18" rx="2" />
                <path class="flap" d="M-11 -2 L11 -2" />
            </g>
        }
        .into_any(),
        MessageClass::Client => view! {
            <g class="shape-group">
                <rect class="shape" x="-15" y="-8" width="30" height="16" rx="8" />
                <text class="client-text" x="0" y="4" text-anchor="middle">
                    {if m.is_reply { if m.rejected { "err" } else { "OK" } } else { m.label }}
                </text>
            </g>
        }
        .into_any(),
    };
    let label = short_label(m);
    let label = (m.class != MessageClass::Client && !label.is_empty()).then(|| {
        view! {
            <text class="msg-label" x="11" y="-6">
                {label}
            </text>
        }
    });
    let drop = m.will_drop.then(|| {
        view! { <path class="drop-x" d="M-8 -8 L8 8 M8 -8 L-8 8" /> }
    });
    view! {
        {shape}
        {label}
        {drop}
    }
}

#[component]
fn MessageToken(m: MessageView, layout: Memo<Layout>, now: Memo<u64>, reduced: bool) -> impl IntoView {
    let (from, to, sent, deliver) = (m.from, m.to, m.sent_us, m.deliver_us);
    let route = Memo::new(move |_| layout.with(|l| geometry::route(l, from, to)));
    let class = format!(
        "msg msg-{}{}{}{}",
        class_name(m.class),
        if m.is_reply { " reply" } else { "" },
        if m.rejected { " rejected" } else { "" },
        if m.will_drop { " doomed" } else { "" },
    );
    let doomed = m.will_drop;
    let shape = token_shape(&m);
    if reduced {
        // No movement: the whole route as a still dashed line, the token at its middle.
        view! {
            <g class=format!("{class} still")>
                <path class="msg-route" d=move || route.with(|r| r.d()) />
                <g transform=move || {
                    let (x, y) = route.with(|r| r.at(0.5));
                    format!("translate({} {})", num(x), num(y))
                }>{shape}</g>
            </g>
        }
        .into_any()
    } else {
        let p = move || geometry::progress(sent, deliver, now.get());
        view! {
            <g
                class=class
                transform=move || {
                    let (x, y) = route.with(|r| r.at(p()));
                    format!("translate({} {})", num(x), num(y))
                }
                opacity=move || if doomed { num(1.0 - 0.75 * p()) } else { "1".into() }
            >
                {shape}
            </g>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> MemberView {
        let mut m = placeholder(2);
        m.up = true;
        m
    }

    #[test]
    fn a_vault_says_snapshot_compacted_log_and_disk_in_words() {
        let mut m = member();
        assert_eq!(snapshot_text(Lang::En, &m), "no snapshot");
        assert_eq!(log_text(Lang::En, &m), "log —");
        assert_eq!(disk_text(Lang::En, &m), "disk ok · fsync 1ms");
        (m.snapshot_index, m.compacted, m.last_index, m.stable) = (Some(120), 110, 130, 127);
        assert_eq!(snapshot_text(Lang::En, &m), "snapshot @120");
        assert_eq!(log_text(Lang::En, &m), "log 111–130 · 3 unsynced");
        assert_eq!(log_text(Lang::Ko, &m), "로그 111–130 · 미저장 3");
        m.last_index = 110;
        m.stable = 110;
        assert_eq!(log_text(Lang::En, &m), "log — (≤110 compacted)");
        m.disk_latency_us = 500_000;
        assert_eq!(disk_text(Lang::En, &m), "slow disk: fsync 500ms");
        m.disk_busy = true;
        assert_eq!(disk_text(Lang::En, &m), "✎ writing to disk · 500ms");
        assert_eq!(disk_text(Lang::Ko, &m), "✎ 디스크에 쓰는 중 · 500ms");
        assert_eq!(latency_text(2_000_000), "2s");
        assert_eq!(latency_text(1_500), "1500µs");
    }

    #[test]
    fn long_lines_are_squeezed_into_the_vault() {
        assert_eq!(fit_length("commit 9 · applied 9", 11.5, LINE_W), None);
        assert_eq!(fit_length("commit 1300 · applied 1300", 11.5, LINE_W).as_deref(), Some("124"));
        assert_eq!(fit_length("디스크 정상 · fsync 1ms", 10.0, LINE_W), None);
        assert!(fit_length("리더십 넘기는 중 → etcd-3 · 디스크", 10.0, LINE_W).is_some());
    }
}
