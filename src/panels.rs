//! Everything around the diagram: controls, the clock and hash, banners, the event log, the
//! share link, the legend and the notes on what the lab simplifies.

use lab_core::i18n::Lang;
use lab_core::view::{format_time_us, CommandView};
use lab_core::world::{DISK_LATENCY_US_DEFAULT, MEMBER_COUNTS};
use leptos::html;
use leptos::prelude::*;

use crate::actions;
use crate::browser;
use crate::i18n::{self, Tr};
use crate::lab::{speed_from_value, Lab, SPEEDS};
use crate::url;

#[component]
pub fn LangSwitch(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let href = move |target: Lang| {
        move || {
            lang.track();
            let loc = browser::location();
            format!("{}{}{}", loc.pathname, url::search_with_lang(&loc.search, target), loc.hash)
        }
    };
    let current = move |target: Lang| move || (lang.get() == target).then_some("true");
    view! {
        <nav class="lang-switch" aria-label=i18n::tr(lang, i18n::LANG_SWITCH)>
            <a
                id="lang-ko"
                href=href(Lang::Ko)
                hreflang="ko"
                lang="ko"
                aria-current=current(Lang::Ko)
                on:click=move |ev| {
                    ev.prevent_default();
                    lab.set_lang(Lang::Ko);
                }
            >
                "한국어"
            </a>
            " · "
            <a
                id="lang-en"
                href=href(Lang::En)
                hreflang="en"
                lang="en"
                aria-current=current(Lang::En)
                on:click=move |ev| {
                    ev.prevent_default();
                    lab.set_lang(Lang::En);
                }
            >
                "English"
            </a>
        </nav>
    }
}

#[component]
pub fn ErrorBanner(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    view! {
        <Show when=move || lab.error.with(Option::is_some)>
            <div id="error-banner" class="banner banner-error" role="alert">
                <p>
                    <strong>{i18n::tr(lang, i18n::ERROR_PREFIX)}</strong>
                    <span class="error-text">
                        {move || {
                            lab.error.with(|e| e.as_ref().map(|t| t.get(lang.get()).to_string()))
                        }}
                    </span>
                </p>
                <button type="button" class="dismiss" on:click=move |_| lab.error.set(None)>
                    {i18n::tr(lang, i18n::DISMISS)}
                </button>
            </div>
        </Show>
    }
}

#[component]
pub fn ReplayNotice(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    view! {
        <Show when=move || lab.replayed_to_us.with(Option::is_some)>
            <div id="notice" class="banner banner-notice" role="status">
                <p>
                    {move || {
                        lab.replayed_to_us
                            .get()
                            .map(|t| i18n::replayed_notice(lang.get(), &format_time_us(t)))
                    }}
                </p>
                <button type="button" class="dismiss" on:click=move |_| lab.replayed_to_us.set(None)>
                    {i18n::tr(lang, i18n::DISMISS)}
                </button>
            </div>
        </Show>
    }
}

#[component]
pub fn Controls(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let members = Memo::new(move |_| lab.view.with(|v| v.initial_members));
    view! {
        <div class="controls" role="group" aria-label=t(i18n::CONTROLS)>
            <div class="control-group">
                <button
                    id="play"
                    type="button"
                    aria-pressed=move || lab.playing.get().to_string()
                    on:click=move |_| lab.play()
                >
                    <span aria-hidden="true">"▶ "</span>
                    {t(i18n::PLAY)}
                </button>
                <button
                    id="pause"
                    type="button"
                    aria-pressed=move || (!lab.playing.get()).to_string()
                    on:click=move |_| lab.pause()
                >
                    <span aria-hidden="true">"❚❚ "</span>
                    {t(i18n::PAUSE)}
                </button>
                <button id="step" type="button" title=t(i18n::STEP_HINT) on:click=move |_| lab.step()>
                    <span aria-hidden="true">"▶❘ "</span>
                    {t(i18n::STEP)}
                </button>
            </div>
            <div class="control-group">
                <label for="speed">{t(i18n::SPEED)}</label>
                <select
                    id="speed"
                    on:change=move |ev| {
                        if let Some(s) = speed_from_value(&event_target_value(&ev)) {
                            lab.speed.set(s);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|&(s, value, label)| {
                            view! {
                                <option value=value selected=move || lab.speed.get() == s>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <label for="members">{t(i18n::MEMBERS)}</label>
                <select
                    id="members"
                    title=t(i18n::MEMBERS_HINT)
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u8>() {
                            lab.new_scenario(n);
                        }
                    }
                >
                    {MEMBER_COUNTS
                        .iter()
                        .map(|&n| {
                            view! {
                                <option value=n.to_string() selected=move || members.get() == n>
                                    {n.to_string()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="control-group">
                <button
                    id="partition-mode"
                    type="button"
                    title=t(i18n::PARTITION_MODE_HINT)
                    aria-pressed=move || lab.partition_mode.get().to_string()
                    on:click=move |_| lab.partition_mode.update(|m| *m = !*m)
                >
                    <span aria-hidden="true">"✂ "</span>
                    {t(i18n::PARTITION_MODE)}
                </button>
                <button id="heal" type="button" on:click=move |_| lab.submit("lab heal")>
                    {t(i18n::HEAL)}
                </button>
                <button id="share" type="button" on:click=move |_| lab.share()>
                    <span aria-hidden="true">"⇪ "</span>
                    {t(i18n::SHARE)}
                </button>
            </div>
        </div>
    }
}

#[component]
pub fn Readouts(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let now = Memo::new(move |_| lab.view.with(|v| v.now_us));
    let hash = Memo::new(move |_| lab.view.with(|v| v.hash.clone()));
    let leader = Memo::new(move |_| {
        lab.view.with(|v| {
            v.leader.map(|id| {
                let term = v.members.get(usize::from(id) - 1).map_or(0, |m| m.term);
                (id, term)
            })
        })
    });
    let network = Memo::new(move |_| lab.view.with(|v| v.network.clone()));
    let writes = Memo::new(move |_| lab.view.with(|v| (v.writes_ok, v.writes_failed)));
    view! {
        <dl class="readouts">
            <div>
                <dt>{t(i18n::SIM_CLOCK)}</dt>
                <dd>
                    <output id="sim-clock" data-now-us=move || now.get().to_string()>
                        {move || format_time_us(now.get())}
                    </output>
                </dd>
            </div>
            <div>
                <dt>{t(i18n::STATE_HASH)}</dt>
                <dd>
                    <code id="state-hash">{move || hash.get()}</code>
                </dd>
            </div>
            <div>
                <dt>{t(i18n::LEADER_IS)}</dt>
                <dd id="leader-summary">
                    {move || match leader.get() {
                        Some((id, term)) => {
                            format!("etcd-{id} ({} {term})", i18n::TERM.get(lang.get()))
                        }
                        None => i18n::NO_LEADER.get(lang.get()).to_string(),
                    }}
                </dd>
            </div>
            <div>
                <dt>{t(i18n::WRITES)}</dt>
                <dd id="writes-summary">
                    {move || {
                        let (ok, failed) = writes.get();
                        let l = lang.get();
                        format!(
                            "{} {ok} · {} {failed}",
                            i18n::WRITES_OK.get(l),
                            i18n::WRITES_FAILED.get(l),
                        )
                    }}
                </dd>
            </div>
            <div class="wide">
                <dd id="network-summary">{move || network.with(|n| n.get(lang.get()).to_string())}</dd>
            </div>
        </dl>
    }
}

#[component]
pub fn EventLog(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let list = NodeRef::<html::Ol>::new();
    // Keep the newest command in sight (the DOM is the outside world: an effect).
    Effect::new(move |_| {
        lab.log.track();
        if let Some(ol) = list.get() {
            ol.set_scroll_top(ol.scroll_height());
        }
    });
    view! {
        <section class="panel event-log-panel" aria-labelledby="event-log-title">
            <h2 id="event-log-title">{i18n::tr(lang, i18n::EVENT_LOG)}</h2>
            <Show when=move || lab.log.with(Vec::is_empty)>
                <p class="empty">{i18n::tr(lang, i18n::EVENT_LOG_EMPTY)}</p>
            </Show>
            <ol id="event-log" node_ref=list>
                <For
                    each=move || lab.log.get()
                    key=|c| (c.id, c.done, c.failed, c.output.len())
                    children=move |c| view! { <LogRow lang c /> }
                />
            </ol>
        </section>
    }
}

/// Lines of one command's output the log shows (a `get -o yaml` of everything is thousands).
pub const OUTPUT_LINES_MAX: usize = 300;
/// Characters of one output line the log shows (`get --raw` prints a whole list on one line).
pub const OUTPUT_LINE_CHARS_MAX: usize = 20_000;

/// A command's output as the log shows it (bounded, so the page stays light), and how many lines
/// were left out.
pub fn clip_output(lines: &[&str]) -> (String, usize) {
    let shown = lines.len().min(OUTPUT_LINES_MAX);
    let text = lines[..shown]
        .iter()
        .map(|l| match l.char_indices().nth(OUTPUT_LINE_CHARS_MAX) {
            Some((cut, _)) => format!("{}…", &l[..cut]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, lines.len() - shown)
}

#[component]
fn LogRow(lang: RwSignal<Lang>, c: CommandView) -> impl IntoView {
    let (status, icon, class) = match (c.done, c.failed) {
        (_, true) => (i18n::STATUS_FAILED, "✗", "cmd cmd-failed"),
        (true, false) => (i18n::STATUS_OK, "✓", "cmd cmd-done"),
        (false, false) => (i18n::STATUS_RUNNING, "…", "cmd cmd-running"),
    };
    let output = c.output.clone();
    let has_output = !output.is_empty();
    let one_line = output.len() == 1;
    view! {
        <li
            class=class
            data-cmd=c.id.to_string()
            data-done=c.done.to_string()
            data-failed=c.failed.to_string()
        >
            <div class="cmd-head">
                <span class="cmd-at">{format_time_us(c.at_us)}</span>
                <code class="cmd-line">{c.line.clone()}</code>
                <span class="cmd-status">
                    <span aria-hidden="true">{icon}" "</span>
                    {i18n::tr(lang, status)}
                </span>
            </div>
            {has_output
                .then(|| {
                    view! {
                        // One line (an error, `pod/a created`, a JSON list) wraps; a table or
                        // YAML keeps its columns and scrolls.
                        <pre class="cmd-output" class:cmd-output-one=one_line>
                            {move || {
                                let l = lang.get();
                                let lines: Vec<&str> = output.iter().map(|t| t.get(l)).collect();
                                let (text, hidden) = clip_output(&lines);
                                if hidden > 0 { format!("{text}\n{}", i18n::output_clipped(l, hidden)) } else { text }
                            }}
                        </pre>
                    }
                })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_outputs_are_clipped_with_a_count() {
        let (text, hidden) = clip_output(&["NAME   READY", "a      0/1"]);
        assert_eq!((text.as_str(), hidden), ("NAME   READY\na      0/1", 0));
        let many: Vec<String> = (0..OUTPUT_LINES_MAX + 7).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let (text, hidden) = clip_output(&refs);
        assert_eq!(hidden, 7);
        assert_eq!(text.lines().count(), OUTPUT_LINES_MAX);
        let long = "가".repeat(OUTPUT_LINE_CHARS_MAX + 3);
        let (text, _) = clip_output(&[&long]);
        assert_eq!(text.chars().count(), OUTPUT_LINE_CHARS_MAX + 1);
        assert!(text.ends_with('…'));
    }
}

#[component]
pub fn SharePanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let input = NodeRef::<html::Input>::new();
    let select_all = move || {
        if let Some(i) = input.get() {
            i.select();
        }
    };
    // Select the fresh link so it can be copied by hand if the clipboard refused.
    Effect::new(move |_| {
        if lab.shared.with(Option::is_some) {
            if let Some(i) = input.get() {
                i.select();
            }
        }
    });
    view! {
        <Show when=move || lab.shared.with(Option::is_some)>
            <section class="panel share-panel" aria-labelledby="share-title">
                <h2 id="share-title">{i18n::tr(lang, i18n::SHARE_URL)}</h2>
                <input
                    id="share-url"
                    type="text"
                    readonly
                    node_ref=input
                    aria-labelledby="share-title"
                    prop:value=move || lab.shared.with(|s| s.as_ref().map(|s| s.url.clone()).unwrap_or_default())
                    on:focus=move |_| select_all()
                    on:click=move |_| select_all()
                />
                <p>
                    {i18n::tr(lang, i18n::SHARE_HASH)}
                    ": "
                    <code id="share-hash">
                        {move || lab.shared.with(|s| s.as_ref().map(|s| s.hash.clone()))}
                    </code>
                </p>
                <p class="hint">{i18n::tr(lang, i18n::SHARE_COPIED_NOTE)}</p>
            </section>
        </Show>
    }
}

#[component]
pub fn Legend(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    view! {
        <section class="panel legend" aria-labelledby="legend-title">
            <h2 id="legend-title">{t(i18n::LEGEND)}</h2>
            <ul>
                <li>
                    <svg class="icon msg msg-vote" viewBox="-12 -12 24 24" aria-hidden="true">
                        <path class="shape" d="M0 -8 L8 0 L0 8 L-8 0 Z" />
                    </svg>
                    {t(i18n::LEGEND_VOTE)}
                </li>
                <li>
                    <svg class="icon msg msg-prevote" viewBox="-12 -12 24 24" aria-hidden="true">
                        <path class="shape" d="M0 -7 L7 0 L0 7 L-7 0 Z" />
                    </svg>
                    {t(i18n::LEGEND_PREVOTE)}
                </li>
                <li>
                    <svg class="icon msg msg-append" viewBox="-12 -12 24 24" aria-hidden="true">
                        <rect class="shape" x="-9" y="-6" width="18" height="12" rx="1.5" />
                        <path class="flap" d="M-9 -6 L0 1 L9 -6" />
                    </svg>
                    {t(i18n::LEGEND_APPEND)}
                </li>
                <li>
                    <svg class="icon msg msg-heartbeat" viewBox="-12 -12 24 24" aria-hidden="true">
                        <circle class="shape" r="5" />
                    </svg>
                    {t(i18n::LEGEND_HEARTBEAT)}
                </li>
                <li>
                    <svg class="icon msg msg-read" viewBox="-12 -12 24 24" aria-hidden="true">
                        <path class="shape" d="M0 -7 L7 6 L-7 6 Z" />
                    </svg>
                    {t(i18n::LEGEND_READ)}
                </li>
                <li>
                    <svg class="icon msg msg-snapshot" viewBox="-12 -12 24 24" aria-hidden="true">
                        <rect class="shape" x="-11" y="-9" width="22" height="18" rx="2" />
                        <path class="flap" d="M-11 -2 L11 -2" />
                    </svg>
                    {t(i18n::LEGEND_SNAPSHOT)}
                </li>
                <li>
                    <svg class="icon msg msg-client" viewBox="-16 -12 32 24" aria-hidden="true">
                        <rect class="shape" x="-15" y="-8" width="30" height="16" rx="8" />
                    </svg>
                    {t(i18n::LEGEND_CLIENT)}
                </li>
                <li>
                    <svg class="icon msg msg-append reply" viewBox="-12 -12 24 24" aria-hidden="true">
                        <rect class="shape" x="-9" y="-6" width="18" height="12" rx="1.5" />
                    </svg>
                    {t(i18n::LEGEND_REPLY)}
                </li>
                <li>
                    <svg class="icon msg msg-heartbeat doomed" viewBox="-12 -12 24 24" aria-hidden="true">
                        <circle class="shape" r="5" />
                        <path class="drop-x" d="M-8 -8 L8 8 M8 -8 L-8 8" />
                    </svg>
                    {t(i18n::LEGEND_DROP)}
                </li>
                <li>
                    <svg class="icon entry entry-committed term-1" viewBox="0 0 22 24" aria-hidden="true">
                        <path d="M2 2h18v20h-18Z" />
                    </svg>
                    {t(i18n::LEGEND_COMMITTED)}
                </li>
                <li>
                    <svg class="icon entry entry-uncommitted term-1" viewBox="0 0 22 24" aria-hidden="true">
                        <path d="M2 2h18v20h-18Z" />
                    </svg>
                    {t(i18n::LEGEND_UNCOMMITTED)}
                </li>
                <li>
                    <svg class="icon entry entry-committed entry-unsynced term-1" viewBox="0 0 22 24" aria-hidden="true">
                        <path d="M2 2h12l6 6v14h-18Z" />
                    </svg>
                    {t(i18n::LEGEND_UNSYNCED)}
                </li>
                <li>
                    <svg class="icon snapshot-mark has-snapshot" viewBox="0 0 22 24" aria-hidden="true">
                        <rect class="snap-box" x="3" y="6" width="16" height="13" rx="2" />
                        <path class="snap-strap" d="M3 11 H19" />
                    </svg>
                    {t(i18n::LEGEND_SNAPSHOT_MARK)}
                </li>
                <li>
                    <svg class="icon disk-icon slow busy" viewBox="26 28 40 26" aria-hidden="true">
                        <path
                            class="disk-body"
                            d="M44 33 V49 A10 3.5 0 0 0 64 49 V33 A10 3.5 0 0 0 44 33 A10 3.5 0 0 0 64 33"
                        />
                        <path class="hourglass" d="M30 31 H40 L35 40 L40 49 H30 L35 40 Z" />
                        <path class="disk-arrow" d="M54 36 V46 M50 42 L54 46 L58 42" />
                    </svg>
                    {t(i18n::LEGEND_DISK)}
                </li>
            </ul>
        </section>
    }
}

#[component]
pub fn Notes(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    view! {
        <section id="simplifications" class="panel notes" aria-labelledby="notes-title">
            <h2 id="notes-title">{t(i18n::NOTES)}</h2>
            <ul>
                <li>{t(i18n::NOTE_LATENCY)}</li>
                <li>{t(i18n::NOTE_PREVOTE)}</li>
                <li>{t(i18n::NOTE_TIMINGS)}</li>
            </ul>
        </section>
    }
}

/// etcd's FAQ table (members, majority, failures tolerated) with the current cluster's row
/// marked by words and weight, not colour alone, and how many members are up right now.
#[component]
pub fn QuorumTable(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    // Quorum counts voters only: learners and removed members are not in it (etcd FAQ, learners).
    let size = Memo::new(move |_| lab.view.with(|v| v.members.iter().filter(|m| !m.learner && !m.removed).count()));
    let up =
        Memo::new(move |_| lab.view.with(|v| v.members.iter().filter(|m| m.up && !m.learner && !m.removed).count()));
    view! {
        <section id="quorum-table" class="panel quorum" aria-labelledby="quorum-title">
            <h2 id="quorum-title">{t(i18n::QUORUM_TITLE)}</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t(i18n::QUORUM_MEMBERS)}</th>
                        <th scope="col">{t(i18n::QUORUM_MAJORITY)}</th>
                        <th scope="col">{t(i18n::QUORUM_TOLERANCE)}</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>
                    {(1..=7usize)
                        .map(|n| {
                            let current = move || size.get() == n;
                            view! {
                                <tr class:current=current aria-current=move || current().then_some("true")>
                                    <td>{n}</td>
                                    <td>{n / 2 + 1}</td>
                                    <td>{(n - 1) / 2}</td>
                                    <td>{move || current().then(|| i18n::QUORUM_NOW.get(lang.get()))}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="quorum-now">
                {move || {
                    let l = lang.get();
                    let (u, n) = (up.get(), size.get());
                    let holds = u > n / 2;
                    format!(
                        "{}: {u}/{n} · {}",
                        i18n::QUORUM_UP.get(l),
                        if holds { i18n::QUORUM_HOLDS.get(l) } else { i18n::QUORUM_LOST.get(l) },
                    )
                }}
            </p>
        </section>
    }
}

/// (up, slow disk) of the member the controls act on.
fn selected_state(lab: &Lab) -> (bool, bool) {
    let id = lab.selected.get();
    lab.view.with(|v| {
        v.members
            .get(usize::from(id).wrapping_sub(1))
            .map_or((false, false), |m| (m.up, m.disk_latency_us != DISK_LATENCY_US_DEFAULT))
    })
}

/// The selected member: (is a learner, was removed).
fn selected_membership(lab: &Lab) -> (bool, bool) {
    let id = lab.selected.get();
    lab.view.with(|v| v.members.get(usize::from(id).wrapping_sub(1)).map_or((false, false), |m| (m.learner, m.removed)))
}

fn key_ok(lab: &Lab) -> bool {
    lab.kv_key.with(|k| actions::is_plain_word(k))
}

fn kv_ok(lab: &Lab) -> bool {
    key_ok(lab) && lab.kv_value.with(|v| actions::is_plain_word(v))
}

fn submit_some(lab: &Lab, line: Option<String>) {
    if let Some(line) = line {
        lab.submit(&line);
    }
}

fn read(lab: &Lab, serializable: bool) {
    let id = lab.selected.get_untracked();
    submit_some(lab, lab.kv_key.with_untracked(|k| actions::get_command(id, k, serializable)));
}

/// One control button. Every button passes plain functions, so the page carries one copy of the
/// button's code however many there are (the bundle-size budget).
#[component]
fn Act(
    lab: Lab,
    id: &'static str,
    label: fn(&Lab) -> Tr,
    run: fn(&Lab),
    #[prop(default = |_| true)] enabled: fn(&Lab) -> bool,
    #[prop(default = |_| None)] pressed: fn(&Lab) -> Option<bool>,
) -> impl IntoView {
    view! {
        <button
            id=id
            type="button"
            disabled=move || !enabled(&lab)
            aria-pressed=move || pressed(&lab).map(|p| if p { "true" } else { "false" })
            on:click=move |_| run(&lab)
        >
            {move || label(&lab).get(lab.lang.get())}
        </button>
    }
}

/// The member controls: pick a member, then do by clicks what the terminal's commands do —
/// crash or stop it gracefully, slow its disk, move leadership to it, write, and read through
/// it serializably or linearizably. Every button submits the line the terminal would.
#[component]
pub fn MemberActions(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let count = Memo::new(move |_| lab.view.with(|v| v.members.len() as u8));
    let sel = lab.selected;
    view! {
        <section id="member-actions" class="panel actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{t(i18n::ACTIONS)}</h2>
            <div class="action-row">
                <label for="target-member">{t(i18n::ACTIONS_MEMBER)}</label>
                <select
                    id="target-member"
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u8>() {
                            sel.set(n);
                        }
                    }
                >
                    {move || {
                        (1..=count.get())
                            .map(|n| {
                                view! {
                                    <option value=n.to_string() selected=move || sel.get() == n>
                                        {format!("etcd-{n}")}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <Act
                    lab
                    id="act-crash"
                    label=|lab| if selected_state(lab).0 { i18n::ACT_CRASH } else { i18n::ACT_RESTART }
                    run=|lab| {
                        let id = lab.selected.get_untracked();
                        let verb = if selected_state(lab).0 { "crash" } else { "restart" };
                        lab.submit(&format!("lab {verb} etcd-{id}"));
                    }
                />
                <Act
                    lab
                    id="act-stop"
                    label=|_| i18n::ACT_STOP
                    enabled=|lab| selected_state(lab).0
                    run=|lab| lab.submit(&actions::stop_command(lab.selected.get_untracked()))
                />
                <Act
                    lab
                    id="act-disk"
                    label=|lab| if selected_state(lab).1 { i18n::ACT_DISK_NORMAL } else { i18n::ACT_DISK_SLOW }
                    pressed=|lab| Some(selected_state(lab).1)
                    run=|lab| lab.submit(&actions::disk_command(lab.selected.get_untracked(), !selected_state(lab).1))
                />
                <Act
                    lab
                    id="act-add-learner"
                    label=|_| i18n::ACT_ADD_LEARNER
                    enabled=|lab| lab.view.with(|v| v.members.len() < usize::from(lab_core::sim::network::MEMBERS_MAX))
                    run=|lab| {
                        let (leader, n) = lab.view.with_untracked(|v| (v.leader, v.members.len() as u8));
                        if let Some(line) = actions::member_add_learner_command(leader, n) {
                            lab.submit(&line);
                        }
                    }
                />
                <Act
                    lab
                    id="act-promote"
                    label=|_| i18n::ACT_PROMOTE
                    enabled=|lab| selected_membership(lab).0
                    run=|lab| {
                        let leader = lab.view.with_untracked(|v| v.leader);
                        lab.submit(&actions::member_change_command(leader, lab.selected.get_untracked(), true));
                    }
                />
                <Act
                    lab
                    id="act-remove"
                    label=|_| i18n::ACT_REMOVE
                    enabled=|lab| !selected_membership(lab).1
                    run=|lab| {
                        let leader = lab.view.with_untracked(|v| v.leader);
                        lab.submit(&actions::member_change_command(leader, lab.selected.get_untracked(), false));
                    }
                />
                <Act
                    lab
                    id="act-move-leader"
                    label=|_| i18n::ACT_MOVE_LEADER
                    run=|lab| {
                        let (leader, n) = lab.view.with_untracked(|v| (v.leader, v.members.len() as u8));
                        lab.submit(&actions::move_leader_command(leader, n, lab.selected.get_untracked()));
                    }
                />
            </div>
            <div class="action-row">
                <label for="kv-key">{t(i18n::KV_KEY)}</label>
                <input
                    id="kv-key"
                    type="text"
                    size="14"
                    maxlength="64"
                    spellcheck="false"
                    autocomplete="off"
                    aria-invalid=move || if key_ok(&lab) { "false" } else { "true" }
                    prop:value=move || lab.kv_key.get()
                    on:input=move |ev| lab.kv_key.set(event_target_value(&ev))
                />
                <label for="kv-value">{t(i18n::KV_VALUE)}</label>
                <input
                    id="kv-value"
                    type="text"
                    size="8"
                    maxlength="64"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value=move || lab.kv_value.get()
                    on:input=move |ev| lab.kv_value.set(event_target_value(&ev))
                />
                <Act
                    lab
                    id="act-put"
                    label=|_| i18n::ACT_PUT
                    enabled=kv_ok
                    run=|lab| {
                        let id = lab.selected.get_untracked();
                        let line = lab.kv_key.with_untracked(|k| {
                            lab.kv_value.with_untracked(|v| actions::put_command(id, k, v))
                        });
                        submit_some(lab, line);
                    }
                />
                <Act lab id="act-read-s" label=|_| i18n::ACT_READ_S enabled=key_ok run=|lab| read(lab, true) />
                <Act lab id="act-read-l" label=|_| i18n::ACT_READ_L enabled=key_ok run=|lab| read(lab, false) />
            </div>
            <div class="action-row">
                <label for="snapshot-count">{t(i18n::ACT_SNAPSHOT_COUNT)}</label>
                <select
                    id="snapshot-count"
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u64>() {
                            lab.submit(&actions::snapshot_count_command(n));
                        }
                    }
                >
                    {actions::SNAPSHOT_COUNTS
                        .iter()
                        .map(|&n| {
                            view! {
                                <option
                                    value=n.to_string()
                                    selected=move || lab.view.with(|v| v.snapshot_count == n)
                                >
                                    {n.to_string()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <p class="hint">{t(i18n::KV_HINT)}</p>
            <p class="hint">{t(i18n::READS_NOTE)}</p>
        </section>
    }
}

/// The running `etcdctl watch` streams and what each printed last: one write, every branch
/// notified of the same revision.
#[component]
pub fn WatchPanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let watches = Memo::new(move |_| lab.view.with(|v| v.watches.clone()));
    let down =
        Memo::new(move |_| lab.view.with(|v| v.members.iter().filter(|m| !m.up).map(|m| m.id).collect::<Vec<_>>()));
    view! {
        <section id="watch-panel" class="panel watches" aria-labelledby="watch-title">
            <h2 id="watch-title">{t(i18n::WATCHES)}</h2>
            <p class="hint">{t(i18n::WATCHES_NOTE)}</p>
            <div class="action-row">
                <Act
                    lab
                    id="act-watch"
                    label=|_| i18n::ACT_WATCH
                    run=|lab| lab.submit(&actions::watch_pods_command(lab.selected.get_untracked()))
                />
                <Act lab id="act-put-pod" label=|_| i18n::ACT_PUT_POD run=Lab::put_pod />
                <Act lab id="act-watch-stop" label=|_| i18n::ACT_WATCH_STOP run=|lab| lab.submit("^C") />
            </div>
            <Show when=move || watches.with(Vec::is_empty)>
                <p class="empty">{t(i18n::WATCHES_EMPTY)}</p>
            </Show>
            <ul id="watch-list" aria-live="polite">
                <For
                    each=move || watches.get()
                    key=|w| (w.id, w.next_rev, w.delivered)
                    children=move |w| {
                        let member = w.member;
                        let waiting = move || down.with(|d| d.contains(&member));
                        let last_rev = w.recent.last().map_or(0, |e| e.rev);
                        let recent = w.recent.clone();
                        view! {
                            <li
                                data-watch=w.id.to_string()
                                data-member=w.member.to_string()
                                data-last-rev=last_rev.to_string()
                                data-delivered=w.delivered.to_string()
                            >
                                <div class="watch-head">
                                    <strong>{format!("#{} etcd-{}", w.id, w.member)}</strong>
                                    <code class="watch-line">{w.line.clone()}</code>
                                </div>
                                <div class="watch-meta">
                                    {move || {
                                        let l = lang.get();
                                        let mut s = format!(
                                            "{} {} · {} {}",
                                            i18n::WATCH_EVENTS.get(l),
                                            w.delivered,
                                            i18n::WATCH_NEXT_REV.get(l),
                                            if w.next_rev == 0 { "—".to_string() } else { w.next_rev.to_string() },
                                        );
                                        if waiting() {
                                            s.push_str(" · ⏸ ");
                                            s.push_str(i18n::WATCH_MEMBER_DOWN.get(l));
                                        }
                                        s
                                    }}
                                </div>
                                {if recent.is_empty() {
                                    view! { <p class="watch-none">{t(i18n::WATCH_NONE_YET)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ol class="watch-events">
                                            {recent
                                                .into_iter()
                                                .map(|e| {
                                                    view! {
                                                        <li data-rev=e.rev.to_string()>
                                                            <code>{format!("rev {} {} {} = {}", e.rev, e.kind, e.key, e.value)}</code>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ol>
                                    }
                                        .into_any()
                                }}
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
