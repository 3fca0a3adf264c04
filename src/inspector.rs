//! The request inspector: the recent API requests (method, path, user, code, teller), and for
//! the selected one who asked, what, every desk's verdict, and the object before and after
//! admission changed it. Everything is text (no HTML from the world).

use lab_core::view::{format_time_us, RequestView};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{self, Tr};
use crate::lab::Lab;
use crate::office::{floor_word, glyph, state_attr, step_word, teller_name, verdict};
use crate::office_model::{self as model, Desk};

/// One line of the request list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRow {
    pub id: u64,
    pub method: &'static str,
    pub path: String,
    pub user: String,
    pub code: Option<u16>,
    pub done: bool,
    pub server: u8,
}

impl RequestRow {
    fn of(r: &RequestView) -> RequestRow {
        RequestRow {
            id: r.id,
            method: r.method,
            path: r.path.clone(),
            user: r.user.clone(),
            code: r.code,
            done: r.done,
            server: r.server,
        }
    }

    /// `⊘ 403`, `✓ 201`, `✕ EOF`, `◔ …`: the result with a glyph (not colour alone).
    pub fn result(&self) -> String {
        match (self.done, self.code) {
            (true, Some(0)) => "✕ EOF".to_string(),
            (true, Some(c)) if c >= 400 => format!("⊘ {c}"),
            (true, Some(c)) => format!("✓ {c}"),
            _ => "◔ …".to_string(),
        }
    }
}

/// The request one row up or down the list (newest first) from `current`; `None` at the ends.
pub fn neighbour(ids_newest_first: &[u64], current: u64, down: bool) -> Option<u64> {
    let i = ids_newest_first.iter().position(|&x| x == current)?;
    if down {
        ids_newest_first.get(i + 1).copied()
    } else {
        i.checked_sub(1).and_then(|j| ids_newest_first.get(j).copied())
    }
}

fn focus_request(id: u64) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("#request-list [data-request=\"{id}\"]")).ok().flatten());
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[component]
pub fn RequestInspector(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let rows: Memo<Vec<RequestRow>> = Memo::new(move |_| {
        lab.view.with(|v| {
            v.office.as_ref().map_or_else(Vec::new, |o| o.requests.iter().rev().map(RequestRow::of).collect())
        })
    });
    let ids = Memo::new(move |_| rows.with(|r| r.iter().map(|r| r.id).collect::<Vec<_>>()));
    let request: Memo<Option<RequestView>> = Memo::new(move |_| {
        let picked = lab.selected_request.get();
        lab.view.with(|v| {
            v.office.as_ref().and_then(|o| model::selected_index(&o.requests, picked).map(|i| o.requests[i].clone()))
        })
    });
    let current = Memo::new(move |_| request.with(|r| r.as_ref().map(|r| r.id)));
    let on_key = move |ev: KeyboardEvent| {
        let down = match ev.key().as_str() {
            "ArrowDown" => true,
            "ArrowUp" => false,
            _ => return,
        };
        let Some(cur) = current.get_untracked() else { return };
        if let Some(next) = ids.with_untracked(|ids| neighbour(ids, cur, down)) {
            ev.prevent_default();
            lab.selected_request.set(Some(next));
            focus_request(next);
        }
    };
    view! {
        <section id="request-inspector" class="panel inspector" aria-labelledby="inspector-title">
            <h3 id="inspector-title">{t(i18n::INSPECTOR)}</h3>
            <p class="hint">{t(i18n::INSPECTOR_HINT)}</p>
            <div class="inspector-body">
                <div class="request-list-wrap">
                    <div class="request-list-head">
                        <h4 id="request-list-title">{t(i18n::INSPECTOR_LIST)}</h4>
                        <button
                            id="follow-newest"
                            type="button"
                            aria-pressed=move || lab.selected_request.with(Option::is_none).to_string()
                            on:click=move |_| lab.selected_request.set(None)
                        >
                            {t(i18n::FOLLOW_NEWEST)}
                        </button>
                    </div>
                    <Show when=move || rows.with(Vec::is_empty)>
                        <p class="empty">{t(i18n::NO_REQUEST)}</p>
                    </Show>
                    <ol id="request-list" aria-labelledby="request-list-title" on:keydown=on_key>
                        <For each=move || ids.get() key=|id| *id let:id>
                            <RequestItem lab id rows current />
                        </For>
                    </ol>
                </div>
                <RequestDetail lab request />
            </div>
        </section>
    }
}

#[component]
fn RequestItem(lab: Lab, id: u64, rows: Memo<Vec<RequestRow>>, current: Memo<Option<u64>>) -> impl IntoView {
    let lang = lab.lang;
    let row = Memo::new(move |_| rows.with(|r| r.iter().find(|r| r.id == id).cloned()));
    let field = move |f: fn(&RequestRow) -> String| move || row.with(|r| r.as_ref().map(f).unwrap_or_default());
    let selected = move || current.get() == Some(id);
    let failed = move || row.with(|r| r.as_ref().is_some_and(|r| r.done && r.code.is_some_and(|c| c == 0 || c >= 400)));
    view! {
        <li>
            <button
                type="button"
                class="request-item"
                class:failed=failed
                data-request=id.to_string()
                data-code=field(|r| r.code.map_or(String::new(), |c| c.to_string()))
                aria-pressed=move || selected().to_string()
                on:click=move |_| lab.selected_request.set(Some(id))
            >
                <span class="req-result">{field(RequestRow::result)}</span>
                <span class="req-method">{field(|r| r.method.to_string())}</span>
                <code class="req-path">{field(|r| r.path.clone())}</code>
                <span class="req-user">{field(|r| r.user.clone())}</span>
                <span class="req-teller">
                    {move || row.with(|r| r.as_ref().map(|r| teller_name(lang.get(), r.server)).unwrap_or_default())}
                </span>
            </button>
        </li>
    }
}

#[component]
fn RequestDetail(lab: Lab, request: Memo<Option<RequestView>>) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let plugins =
        Memo::new(move |_| lab.view.with(|v| v.office.as_ref().map(|o| o.plugins.clone()).unwrap_or_default()));
    let field = move |f: fn(&RequestView) -> String| move || request.with(|r| r.as_ref().map(f).unwrap_or_default());
    let result = move || {
        let l = lang.get();
        request.with(|r| r.as_ref().map(|r| plugins.with(|p| verdict(l, r, &model::walk(r, p), p))).unwrap_or_default())
    };
    // Each step with its admission phase (M before validation, V after), for plugins that
    // take part in both.
    let steps = Memo::new(move |_| {
        request.with(|r| {
            r.as_ref().map_or_else(Vec::new, |r| {
                let desks = plugins.with(|p| model::step_desks(r, p));
                r.steps
                    .iter()
                    .zip(desks)
                    .map(|(s, d)| {
                        let phase = match d {
                            Some(Desk::Mutating(_)) => " · M",
                            Some(Desk::Validating(_)) => " · V",
                            _ => "",
                        };
                        (s.clone(), phase)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let before = Memo::new(move |_| request.with(|r| r.as_ref().and_then(|r| r.before.clone())));
    let after = Memo::new(move |_| request.with(|r| r.as_ref().and_then(|r| r.after.clone())));
    view! {
        <div id="request-detail" class="request-detail" data-request=field(|r| r.id.to_string())>
            <Show when=move || request.with(Option::is_some)>
                <h4 class="request-title">
                    {field(|r| format!("#{} {} {}", r.id, r.method, r.path))}
                </h4>
                <dl class="request-facts">
                    <div>
                        <dt>{t(i18n::REQ_COMMAND)}</dt>
                        <dd>
                            <code>{field(|r| r.line.clone())}</code>
                        </dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_USER)}</dt>
                        <dd id="request-user">{field(|r| r.user.clone())}</dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_GROUPS)}</dt>
                        <dd id="request-groups">{field(|r| r.groups.join(", "))}</dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_VERB)}</dt>
                        <dd>{field(|r| format!("{} ({})", r.verb, r.method))}</dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_RESOURCE)}</dt>
                        <dd>{field(|r| r.resource.clone())}</dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_NAMESPACE)}</dt>
                        <dd>
                            {move || {
                                let ns = request.with(|r| r.as_ref().map(|r| r.namespace.clone()).unwrap_or_default());
                                if ns.is_empty() { i18n::REQ_CLUSTER_SCOPED.get(lang.get()).to_string() } else { ns }
                            }}
                        </dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_PATH)}</dt>
                        <dd>
                            <code>{field(|r| r.path.clone())}</code>
                        </dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_TELLER)}</dt>
                        <dd>{move || request.with(|r| r.as_ref().map(|r| teller_name(lang.get(), r.server)))}</dd>
                    </div>
                    <div>
                        <dt>{t(i18n::REQ_TIMES)}</dt>
                        <dd id="request-times">
                            {field(|r| {
                                format!(
                                    "{} → {}",
                                    format_time_us(r.sent_us),
                                    r.answered_us.map_or("…".to_string(), format_time_us)
                                )
                            })}
                        </dd>
                    </div>
                    <div class="wide">
                        <dt>{t(i18n::REQ_RESULT)}</dt>
                        <dd id="request-result">{result}</dd>
                    </div>
                </dl>
                <table id="request-steps" class="steps">
                    <caption>{t(i18n::REQ_STEPS)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{t(i18n::REQ_DESK)}</th>
                            <th scope="col">{t(i18n::REQ_FLOOR)}</th>
                            <th scope="col">{t(i18n::REQ_OUTCOME)}</th>
                            <th scope="col">{t(i18n::REQ_SAID)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || steps.get().into_iter().enumerate()
                            key=|(i, (s, _))| (*i, s.kind as u8)
                            children=move |(i, (s, phase))| {
                                let kind = Some(s.kind);
                                view! {
                                    <tr
                                        class=format!("step step-{}", state_attr(kind))
                                        data-step-desk=s.desk.clone()
                                        data-step-kind=state_attr(kind)
                                        data-step-floor=s.floor.to_string()
                                    >
                                        <td>{(i + 1).to_string()}</td>
                                        <td class="step-desk">{format!("{}{phase}", s.desk)}</td>
                                        <td>{i18n::tr(lang, floor_word(s.floor))}</td>
                                        <td class="step-outcome">
                                            <span aria-hidden="true">{glyph(kind)}" "</span>
                                            {i18n::tr(lang, step_word(kind))}
                                        </td>
                                        <td class="step-text">{s.text.clone()}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
                <ObjectView id="request-before" title=i18n::REQ_BEFORE lang json=before />
                <ObjectView id="request-after" title=i18n::REQ_AFTER lang json=after />
            </Show>
        </div>
    }
}

/// A collapsible object (pretty JSON), as text.
#[component]
fn ObjectView(
    id: &'static str,
    title: Tr,
    lang: RwSignal<lab_core::i18n::Lang>,
    json: Memo<Option<String>>,
) -> impl IntoView {
    view! {
        <details id=id class="object-view">
            <summary>
                {i18n::tr(lang, title)}
                {move || json.with(|j| j.is_none().then(|| format!(" {}", i18n::REQ_NONE.get(lang.get()))))}
            </summary>
            <pre class="object-json">{move || json.get().unwrap_or_default()}</pre>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_move_along_the_list_and_stop_at_its_ends() {
        let ids = [9, 7, 4];
        assert_eq!(neighbour(&ids, 9, true), Some(7));
        assert_eq!(neighbour(&ids, 7, false), Some(9));
        assert_eq!(neighbour(&ids, 9, false), None);
        assert_eq!(neighbour(&ids, 4, true), None);
        assert_eq!(neighbour(&ids, 5, true), None);
    }

    #[test]
    fn a_row_says_its_result_with_a_glyph() {
        let row = |done, code| RequestRow {
            id: 1,
            method: "GET",
            path: String::new(),
            user: String::new(),
            code,
            done,
            server: 1,
        };
        assert_eq!(row(true, Some(403)).result(), "⊘ 403");
        assert_eq!(row(true, Some(201)).result(), "✓ 201");
        assert_eq!(row(true, Some(0)).result(), "✕ EOF");
        assert_eq!(row(false, None).result(), "◔ …");
    }
}
