//! The office's buttons: crash/restart and slow down/speed up each teller (API server), and
//! switch kubectl's context (who asks). Every button submits the line the command line would.

use lab_core::k8s::kubeconfig::CONTEXTS;
use lab_core::view::TellerView;
use leptos::prelude::*;

use crate::i18n::{self, Tr};
use crate::lab::Lab;
use crate::office::{staleness, teller_name, teller_state};

/// How much slower the slow-down button makes a teller.
pub const SLOW_TELLER: &str = "2s";

/// `lab apiserver crash apiserver-2` / `lab apiserver restart apiserver-2`.
pub fn crash_command(node: u8, up: bool) -> String {
    format!("lab apiserver {} apiserver-{node}", if up { "crash" } else { "restart" })
}

/// `lab apiserver slow apiserver-2 2s` / `… 0s` (back to normal).
pub fn slow_command(node: u8, slow: bool) -> String {
    format!("lab apiserver slow apiserver-{node} {}", if slow { SLOW_TELLER } else { "0s" })
}

/// `kubectl config use-context viewer@challenge-cluster`.
pub fn use_context_command(name: &str) -> String {
    format!("kubectl config use-context {name}")
}

#[component]
pub fn TellerControls(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let count = Memo::new(move |_| lab.view.with(|v| v.office.as_ref().map_or(0, |o| o.tellers.len() as u8)));
    view! {
        <section id="teller-controls" class="panel teller-controls" aria-labelledby="teller-controls-title">
            <h3 id="teller-controls-title">{t(i18n::TELLER_CONTROLS)}</h3>
            <ContextSwitch lab />
            <ul class="teller-list">
                <For each=move || 1..=count.get() key=|n| *n let:node>
                    <TellerRowControls lab node />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn TellerRowControls(lab: Lab, node: u8) -> impl IntoView {
    let lang = lab.lang;
    let teller: Memo<Option<TellerView>> = Memo::new(move |_| {
        lab.view.with(|v| v.office.as_ref().and_then(|o| o.tellers.iter().find(|t| t.node == node).cloned()))
    });
    let up = Memo::new(move |_| teller.with(|t| t.as_ref().is_some_and(|t| t.up)));
    let slow = Memo::new(move |_| teller.with(|t| t.as_ref().is_some_and(|t| t.slow_us > 0)));
    let label = move |tr: Tr| {
        let l = lang.get();
        format!("{}: {}", teller_name(l, node), tr.get(l))
    };
    view! {
        <li class="teller-item" data-apiserver-controls=node.to_string()>
            <span class="teller-item-name">{move || teller_name(lang.get(), node)}</span>
            <span class="teller-item-state">
                {move || {
                    let l = lang.get();
                    teller.with(|t| t.as_ref().map(|t| format!("{} · {}", teller_state(l, t), staleness(l, t))))
                }}
            </span>
            <button
                id=format!("teller-{node}-crash")
                type="button"
                title=move || crash_command(node, up.get())
                aria-label=move || label(if up.get() { i18n::TELLER_CRASH } else { i18n::TELLER_RESTART })
                on:click=move |_| lab.submit(&crash_command(node, up.get_untracked()))
            >
                {move || if up.get() { i18n::TELLER_CRASH.get(lang.get()) } else { i18n::TELLER_RESTART.get(lang.get()) }}
            </button>
            <button
                id=format!("teller-{node}-slow")
                type="button"
                title=move || slow_command(node, !slow.get())
                aria-pressed=move || slow.get().to_string()
                aria-label=move || label(if slow.get() { i18n::TELLER_MAKE_NORMAL } else { i18n::TELLER_MAKE_SLOW })
                on:click=move |_| lab.submit(&slow_command(node, !slow.get_untracked()))
            >
                {move || {
                    if slow.get() {
                        i18n::TELLER_MAKE_NORMAL.get(lang.get())
                    } else {
                        i18n::TELLER_MAKE_SLOW.get(lang.get())
                    }
                }}
            </button>
        </li>
    }
}

/// The kubeconfig's four contexts; picking one runs `kubectl config use-context NAME`.
#[component]
pub fn ContextSwitch(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let current = Memo::new(move |_| lab.view.with(|v| v.office.as_ref().map_or("", |o| o.context)));
    view! {
        <div class="action-row context-switch">
            <label for="kube-context">{i18n::tr(lang, i18n::CONTEXT)}</label>
            <select
                id="kube-context"
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    if let Some(c) = CONTEXTS.iter().find(|c| c.name == name) {
                        lab.submit(&use_context_command(c.name));
                    }
                }
            >
                {CONTEXTS
                    .iter()
                    .map(|c| {
                        let name = c.name;
                        let user = c.user_info().name;
                        view! {
                            <option value=name selected=move || current.get() == name>
                                {format!("{name} ({user})")}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_controls_submit_the_terminal_lines_and_they_run() {
        assert_eq!(crash_command(2, true), "lab apiserver crash apiserver-2");
        assert_eq!(crash_command(2, false), "lab apiserver restart apiserver-2");
        assert_eq!(slow_command(1, true), "lab apiserver slow apiserver-1 2s");
        assert_eq!(slow_command(1, false), "lab apiserver slow apiserver-1 0s");
        let mut w = lab_core::World::with_kubernetes(1, 3);
        let mut run = |line: &str| {
            let id = w.submit(line);
            w.run_until_done(id);
            assert!(!w.commands()[id as usize].failed, "{line}");
        };
        run(&crash_command(2, true));
        run(&crash_command(2, false));
        run(&slow_command(3, true));
        run(&slow_command(3, false));
        for c in CONTEXTS {
            run(&use_context_command(c.name));
        }
        let o = w.office_view().expect("an office");
        assert!(o.tellers.iter().all(|t| t.up && t.slow_us == 0));
        assert_eq!(o.context, CONTEXTS[CONTEXTS.len() - 1].name);
    }
}
