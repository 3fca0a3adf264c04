//! The government office, drawn (handout Part 2, "API Server = 정부 청사"): the tellers (API
//! servers) with their state, floor 1's check desks, floor 2's handling, etcd in the basement,
//! and the selected request's path through them. Only one request is drawn at a time; the
//! inspector lists the others.

use lab_core::etcd::raft::Role;
use lab_core::i18n::Lang;
use lab_core::view::{RequestView, StepKind, TellerView};
use lab_core::world::ETCD_REQUEST_TIMEOUT_US;
use leptos::prelude::*;

use crate::geometry::num;
use crate::i18n::{self, Tr};
use crate::inspector::RequestInspector;
use crate::lab::Lab;
use crate::office_controls::TellerControls;
use crate::office_model::{self as model, Desk, Floorplan, Visit, Walk};

type Plugins = Vec<(&'static str, bool, bool)>;

/// `data-state` of a desk: what it did with the selected request (`idle`: not reached).
pub fn state_attr(kind: Option<StepKind>) -> &'static str {
    match kind {
        None => "idle",
        Some(StepKind::Passed) => "passed",
        Some(StepKind::Mutated) => "mutated",
        Some(StepKind::Rejected) => "rejected",
        Some(StepKind::Waiting) => "waiting",
        Some(StepKind::Noted) => "noted",
    }
}

/// The glyph that says a desk's verdict without colour.
pub fn glyph(kind: Option<StepKind>) -> &'static str {
    match kind {
        None => "·",
        Some(StepKind::Passed) => "✓",
        Some(StepKind::Mutated) => "✎",
        Some(StepKind::Rejected) => "⊘",
        Some(StepKind::Waiting) => "◔",
        Some(StepKind::Noted) => "ℹ",
    }
}

/// The verdict in words.
pub fn step_word(kind: Option<StepKind>) -> Tr {
    match kind {
        None => i18n::STEP_NOT_REACHED,
        Some(StepKind::Passed) => i18n::STEP_PASSED,
        Some(StepKind::Mutated) => i18n::STEP_MUTATED,
        Some(StepKind::Rejected) => i18n::STEP_REJECTED,
        Some(StepKind::Waiting) => i18n::STEP_WAITING,
        Some(StepKind::Noted) => i18n::STEP_NOTED,
    }
}

/// The words on a big desk: (what it asks, in the reader's language; its name in Kubernetes).
pub fn desk_words(desk: Desk) -> (Tr, &'static str) {
    match desk {
        Desk::Authentication => (i18n::DESK_AUTHN, "authentication"),
        Desk::Impersonation => (i18n::DESK_IMPERSONATION, "impersonation"),
        Desk::Authorization => (i18n::DESK_AUTHZ, "authorization"),
        Desk::Validation => (i18n::DESK_VALIDATION, "validation"),
        Desk::Handler => (i18n::DESK_HANDLER, "handler"),
        Desk::WatchCache => (i18n::DESK_WATCH_CACHE, "watch cache"),
        Desk::Etcd => (i18n::DESK_ETCD, "etcd"),
        Desk::Mutating(_) | Desk::Validating(_) => (i18n::REQ_DESK, ""),
    }
}

/// The short note a big desk shows under its verdict: who the user is, which binding allowed.
pub fn desk_note(desk: Desk, v: &Visit) -> String {
    let t = v.text.as_str();
    if v.kind == StepKind::Rejected {
        // The status code; the message is in the verdict line above the building.
        return t.split(' ').next().unwrap_or(t).to_string();
    }
    match desk {
        Desk::Authentication => t.split(" groups=").next().unwrap_or(t).to_string(),
        // `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` → the binding.
        Desk::Authorization => {
            let t = t.strip_prefix("RBAC: ").unwrap_or(t);
            let t = t.strip_prefix("allowed by ").unwrap_or(t);
            t.split(" of ").next().unwrap_or(t).to_string()
        }
        _ => t.to_string(),
    }
}

/// The floor a step stood on, in words.
pub fn floor_word(floor: u8) -> Tr {
    match floor {
        1 => i18n::FLOOR1_SHORT,
        2 => i18n::FLOOR2_SHORT,
        _ => i18n::BASEMENT_SHORT,
    }
}

/// A teller's state in words with a glyph: `● 정상`, `✕ 중지됨`, `◔ 느림 +2s`.
pub fn teller_state(lang: Lang, t: &TellerView) -> String {
    if !t.up {
        format!("✕ {}", i18n::TELLER_DOWN.get(lang))
    } else if t.slow_us > 0 {
        format!("◔ {} +{}", i18n::TELLER_SLOW.get(lang), model::delay_text(t.slow_us))
    } else {
        format!("● {}", i18n::TELLER_UP.get(lang))
    }
}

/// How far a teller's watch cache is behind its etcd member.
pub fn staleness(lang: Lang, t: &TellerView) -> String {
    if !t.up {
        return i18n::TELLER_NO_CACHE.get(lang).to_string();
    }
    let behind = t.etcd_revision.saturating_sub(t.cache_revision);
    match (behind, lang) {
        (0, _) => i18n::TELLER_FRESH.get(lang).to_string(),
        (n, Lang::Ko) => format!("캐시가 {n} 리비전 뒤처짐"),
        (n, Lang::En) => format!("cache {n} revisions behind"),
    }
}

/// `창구 2 (apiserver-2)`.
pub fn teller_name(lang: Lang, node: u8) -> String {
    format!("{} {node} (apiserver-{node})", i18n::TELLER.get(lang))
}

/// The line that says how the selected request ended (or where it is).
pub fn verdict(lang: Lang, r: &RequestView, w: &Walk, plugins: &Plugins) -> String {
    let desk = |d: Desk| match d {
        Desk::Mutating(_) | Desk::Validating(_) => d.name(plugins).to_string(),
        _ => desk_words(d).1.to_string(),
    };
    match (r.done, r.code) {
        (true, Some(0)) => format!("✕ {}", i18n::VERDICT_LOST.get(lang)),
        (true, Some(code)) if code >= 400 => {
            let at = w.stopped_at.map(desk).unwrap_or_default();
            let msg = r.message.clone().unwrap_or_default();
            match (lang, at.is_empty()) {
                (_, true) => format!("⊘ {code} {msg}"),
                (Lang::Ko, false) => format!("⊘ {code} · {at}에서 거절: {msg}"),
                (Lang::En, false) => format!("⊘ {code} · rejected at {at}: {msg}"),
            }
        }
        (true, Some(code)) => {
            let rev = w.visits.get(&Desk::Etcd).map(|v| v.text.clone()).filter(|t| t.starts_with("revision"));
            let from = if w.visits.contains_key(&Desk::WatchCache) { "watch cache" } else { "etcd" };
            match (lang, rev) {
                (Lang::Ko, Some(rev)) => format!("✓ {code} · etcd {rev}에 기록/조회"),
                (Lang::En, Some(rev)) => format!("✓ {code} · etcd at {rev}"),
                (Lang::Ko, None) => format!("✓ {code} · {from}에서 답함"),
                (Lang::En, None) => format!("✓ {code} · answered from the {from}"),
            }
        }
        _ => match w.waiting {
            Some((d, _)) => {
                format!("◔ {} — {} ({})", i18n::VERDICT_RUNNING.get(lang), i18n::STEP_WAITING.get(lang), desk(d))
            }
            None => format!("◔ {}", i18n::VERDICT_RUNNING.get(lang)),
        },
    }
}

/// The office: its heading, the drawing, the teller controls and the request inspector (only
/// when the world runs Kubernetes).
#[component]
pub fn OfficeSection(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let has_office = Memo::new(move |_| lab.view.with(|v| v.office.is_some()));
    view! {
        <Show when=move || has_office.get()>
            <section id="office" class="office-section" aria-labelledby="office-title">
                <h2 id="office-title">{t(i18n::OFFICE)}</h2>
                <p class="hint office-intro">{t(i18n::OFFICE_INTRO)}</p>
                <div class="diagram-wrap office-wrap">
                    <OfficeDiagram lab />
                </div>
                <p class="office-legend">{t(i18n::OFFICE_LEGEND)}</p>
                <TellerControls lab />
                <RequestInspector lab />
                <p id="office-note" class="hint office-note">{t(i18n::OFFICE_NOTE)}</p>
            </section>
        </Show>
    }
}

#[component]
pub fn OfficeDiagram(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let plugins: Memo<Plugins> =
        Memo::new(move |_| lab.view.with(|v| v.office.as_ref().map(|o| o.plugins.clone()).unwrap_or_default()));
    let plan = Memo::new(move |_| plugins.with(|p| Floorplan::new(p)));
    let request: Memo<Option<RequestView>> = Memo::new(move |_| {
        let picked = lab.selected_request.get();
        lab.view.with(|v| {
            v.office.as_ref().and_then(|o| model::selected_index(&o.requests, picked).map(|i| o.requests[i].clone()))
        })
    });
    let walk = Memo::new(move |_| {
        request.with(|r| plugins.with(|p| r.as_ref().map(|r| model::walk(r, p)).unwrap_or_default()))
    });
    let request_id = Memo::new(move |_| request.with(|r| r.as_ref().map(|r| r.id)));
    let server = Memo::new(move |_| request.with(|r| r.as_ref().map(|r| r.server)));
    let tellers: Memo<Vec<TellerView>> =
        Memo::new(move |_| lab.view.with(|v| v.office.as_ref().map(|o| o.tellers.clone()).unwrap_or_default()));
    view! {
        <svg
            id="office-diagram"
            class="diagram office-diagram"
            viewBox=model::VIEW_BOX
            role="group"
            aria-label=i18n::tr(lang, i18n::OFFICE_DIAGRAM)
            data-request=move || request_id.get().map_or(String::new(), |id| id.to_string())
        >
            <Floors lang plan />
            <RequestSummary lang request walk plugins />
            <TellerRow lang tellers server />
            <Route plan walk server tellers />
            <For each=move || std::iter::once(request_id.get()) key=|id| *id let:_id>
                <Desks lab plan plugins walk tellers server />
            </For>
            <Basement lab plan walk server />
        </svg>
    }
}

/// The building: three floors, their names, and the admission columns' headings.
#[component]
fn Floors(lang: RwSignal<Lang>, plan: Memo<Floorplan>) -> impl IntoView {
    let t = move |x: Tr| i18n::tr(lang, x);
    let ((mx, mw), (vx, vw)) = plan.with_untracked(|p| p.columns());
    let band = |top: f64, bottom: f64, class: &'static str| {
        view! {
            <rect class=class x="4" y=num(top) width=num(model::WIDTH - 8.0) height=num(bottom - top) rx="10" />
        }
    };
    view! {
        <g class="floors">
            {band(model::FLOOR1_TOP, model::FLOOR1_BOTTOM, "floor floor-1")}
            {band(model::FLOOR2_TOP, model::FLOOR2_BOTTOM, "floor floor-2")}
            {band(model::BASEMENT_TOP, model::BASEMENT_BOTTOM, "floor floor-basement")}
            <text class="floor-label" x="14" y=num(model::FLOOR1_TOP + 19.0)>
                {t(i18n::FLOOR1)}
            </text>
            <text class="floor-label" x="14" y=num(model::FLOOR2_TOP + 19.0)>
                {t(i18n::FLOOR2)}
            </text>
            <text class="floor-label" x="14" y=num(model::BASEMENT_TOP + 17.0)>
                {t(i18n::BASEMENT)}
            </text>
            <text class="column-label" x=num(mx) y="226">
                {t(i18n::ADMISSION_MUTATING)}
            </text>
            <text class="column-label" x=num(vx) y="226">
                {t(i18n::ADMISSION_VALIDATING)}
            </text>
            <text class="column-note" x=num(mx + mw) y="226" text-anchor="end">
                "M · M+V"
            </text>
            <text class="column-note" x=num(vx + vw) y="226" text-anchor="end">
                "V · M+V"
            </text>
        </g>
    }
}

/// How many ems of the verdict fit on a line (13 px bold, a margin for the estimate).
const VERDICT_EM: f64 = 56.0;

/// The selected request in one line, and how it ended (wrapped to two lines).
#[component]
fn RequestSummary(
    lang: RwSignal<Lang>,
    request: Memo<Option<RequestView>>,
    walk: Memo<Walk>,
    plugins: Memo<Plugins>,
) -> impl IntoView {
    let summary = Memo::new(move |_| {
        let l = lang.get();
        request.with(|r| match r {
            Some(r) => format!(
                "▶ #{} {} {} · {} → {}",
                r.id,
                r.method,
                r.path,
                if r.user.is_empty() { "?" } else { &r.user },
                teller_name(l, r.server)
            ),
            None => String::new(),
        })
    });
    let lines = Memo::new(move |_| {
        let l = lang.get();
        request.with(|r| match r {
            Some(r) => walk.with(|w| plugins.with(|p| model::wrap_text(&verdict(l, r, w, p), VERDICT_EM, 2))),
            None => model::wrap_text(i18n::NO_REQUEST.get(l), VERDICT_EM, 2),
        })
    });
    let kind = Memo::new(move |_| {
        request.with(|r| match r {
            Some(r) if r.done && r.code.is_some_and(|c| c == 0 || c >= 400) => "verdict verdict-failed",
            Some(r) if r.done => "verdict verdict-ok",
            Some(_) => "verdict verdict-running",
            None => "verdict verdict-none",
        })
    });
    view! {
        <g class="request-summary">
            <text
                id="office-summary"
                class="summary-line"
                x="10"
                y=num(model::SUMMARY_Y)
                textLength=move || summary.with(|s| model::squeeze(s, 14.0, model::WIDTH - 20.0))
                lengthAdjust="spacingAndGlyphs"
            >
                {move || summary.get()}
            </text>
            <text id="office-verdict" class=move || kind.get() x="10" y=num(model::VERDICT_Y)>
                {move || {
                    lines
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, l)| {
                            view! {
                                <tspan x="10" dy=if i == 0 { "0" } else { "18" }>
                                    {l}
                                </tspan>
                            }
                        })
                        .collect_view()
                }}
            </text>
        </g>
    }
}

/// kubectl and the load balancer, then one card per teller (API server).
#[component]
fn TellerRow(lang: RwSignal<Lang>, tellers: Memo<Vec<TellerView>>, server: Memo<Option<u8>>) -> impl IntoView {
    let t = move |x: Tr| i18n::tr(lang, x);
    let count = Memo::new(move |_| tellers.with(Vec::len));
    let top = model::TELLERS_TOP;
    let h = model::TELLER_CARD_H;
    view! {
        <g class="tellers-row">
            <g class="lb" aria-hidden="true">
                <rect class="lb-body" x="12" y=num(top) width="126" height=num(h) rx="8" />
                <text class="lb-title" x="75" y=num(top + 20.0) text-anchor="middle">
                    "kubectl ↓"
                </text>
                <text class="lb-name" x="75" y=num(top + 42.0) text-anchor="middle">
                    {t(i18n::OFFICE_LB)}
                </text>
                <text
                    class="lb-note"
                    x="75"
                    y=num(top + 62.0)
                    text-anchor="middle"
                    textLength=move || model::squeeze(i18n::OFFICE_LB_NOTE.get(lang.get()), 10.5, 116.0)
                    lengthAdjust="spacingAndGlyphs"
                >
                    {t(i18n::OFFICE_LB_NOTE)}
                </text>
                <text class="lb-note" x="75" y=num(top + 78.0) text-anchor="middle">
                    "→"
                </text>
            </g>
            <For each=move || 0..count.get() key=|i| *i let:i>
                <TellerCard lang tellers server index=i count />
            </For>
        </g>
    }
}

#[component]
fn TellerCard(
    lang: RwSignal<Lang>,
    tellers: Memo<Vec<TellerView>>,
    server: Memo<Option<u8>>,
    index: usize,
    count: Memo<usize>,
) -> impl IntoView {
    let teller = Memo::new(move |_| tellers.with(|t| t.get(index).cloned()));
    let slot = Memo::new(move |_| model::teller_slot(index, count.get()));
    let node = (index + 1) as u8;
    let serving = move || server.get() == Some(node);
    let attr = move |f: fn(&TellerView) -> String| move || teller.with(|t| t.as_ref().map(f).unwrap_or_default());
    let top = model::TELLERS_TOP;
    let h = model::TELLER_CARD_H;
    let line = move |y: f64, f: fn(Lang, &TellerView) -> String, class: &'static str| {
        let text = Memo::new(move |_| {
            let l = lang.get();
            teller.with(|t| t.as_ref().map(|t| f(l, t)).unwrap_or_default())
        });
        view! {
            <text
                class=class
                x=move || num(slot.get().0 + 8.0)
                y=num(top + y)
                textLength=move || text.with(|s| model::squeeze(s, 12.0, slot.get().1 - 16.0))
                lengthAdjust="spacingAndGlyphs"
            >
                {move || text.get()}
            </text>
        }
    };
    view! {
        <g
            class="apiserver"
            class:serving=serving
            class:down=move || teller.with(|t| t.as_ref().is_some_and(|t| !t.up))
            class:slow=move || teller.with(|t| t.as_ref().is_some_and(|t| t.up && t.slow_us > 0))
            data-apiserver=node.to_string()
            data-up=attr(|t| t.up.to_string())
            data-slow-us=attr(|t| t.slow_us.to_string())
            data-cache-revision=attr(|t| t.cache_revision.to_string())
            data-etcd-revision=attr(|t| t.etcd_revision.to_string())
            data-in-flight=attr(|t| t.in_flight.to_string())
        >
            <title>
                {move || {
                    let l = lang.get();
                    teller.with(|t| {
                        t.as_ref()
                            .map(|t| {
                                format!(
                                    "{}: {}; {}; {}",
                                    teller_name(l, t.node),
                                    teller_state(l, t),
                                    cache_line(l, t),
                                    staleness(l, t)
                                )
                            })
                            .unwrap_or_default()
                    })
                }}
            </title>
            <rect
                class="apiserver-body"
                x=move || num(slot.get().0)
                y=num(top)
                width=move || num(slot.get().1)
                height=num(h)
                rx="8"
            />
            {line(19.0, |l, t| format!("{} · {}", teller_name(l, t.node), teller_state(l, t)), "apiserver-name")}
            {line(39.0, cache_line, "apiserver-line")}
            {line(57.0, staleness, "apiserver-line")}
            {line(
                75.0,
                |l, t| {
                    format!(
                        "{} {} · {} {}",
                        i18n::TELLER_IN_FLIGHT.get(l),
                        t.in_flight,
                        i18n::TELLER_HANDLED.get(l),
                        t.handled
                    )
                },
                "apiserver-line",
            )}
            <Show when=move || teller.with(|t| t.as_ref().is_some_and(|t| !t.up))>
                <path
                    class="apiserver-down-mark"
                    aria-hidden="true"
                    d=move || {
                        let (x, w) = slot.get();
                        format!("M{} {} L{} {}", num(x + 4.0), num(top + h - 4.0), num(x + w - 4.0), num(top + 26.0))
                    }
                />
            </Show>
            <Show when=serving>
                <text
                    class="serving-label"
                    x=move || {
                        let (x, w) = slot.get();
                        num(x + w / 2.0)
                    }
                    y=num(top - 4.0)
                    text-anchor="middle"
                >
                    {move || format!("▼ {}", i18n::THIS_REQUEST.get(lang.get()))}
                </text>
            </Show>
        </g>
    }
}

/// `캐시 r173 · etcd-1 r175`.
pub fn cache_line(lang: Lang, t: &TellerView) -> String {
    format!("{} r{} · etcd-{} r{}", i18n::TELLER_CACHE.get(lang), t.cache_revision, t.node, t.etcd_revision)
}

/// The selected request's path: from its teller down through the desks it met, in order.
#[component]
fn Route(
    plan: Memo<Floorplan>,
    walk: Memo<Walk>,
    server: Memo<Option<u8>>,
    tellers: Memo<Vec<TellerView>>,
) -> impl IntoView {
    let points = Memo::new(move |_| {
        let Some(node) = server.get() else { return String::new() };
        let n = tellers.with(Vec::len);
        let (x, w) = model::teller_slot(usize::from(node).saturating_sub(1), n);
        let pts = plan.with(|p| walk.with(|wk| p.route_points(x + w / 2.0, &wk.route)));
        pts.iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect::<Vec<_>>().join(" ")
    });
    let stopped = Memo::new(move |_| walk.with(|w| w.stopped_at.is_some()));
    view! {
        <defs>
            <marker
                id="route-arrow"
                viewBox="0 0 10 10"
                refX="8"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
            >
                <path d="M0 0 L10 5 L0 10 Z" class="route-arrow" />
            </marker>
        </defs>
        <polyline
            id="office-route"
            class="route"
            class:stopped=move || stopped.get()
            aria-hidden="true"
            points=move || points.get()
            marker-end="url(#route-arrow)"
        />
    }
}

/// Every desk of floors 1 and 2 and the basement's etcd desk, for one request.
#[component]
fn Desks(
    lab: Lab,
    plan: Memo<Floorplan>,
    plugins: Memo<Plugins>,
    walk: Memo<Walk>,
    tellers: Memo<Vec<TellerView>>,
    server: Memo<Option<u8>>,
) -> impl IntoView {
    let desks = plan.with_untracked(Floorplan::desks);
    desks
        .into_iter()
        .map(|desk| match desk {
            Desk::Mutating(_) | Desk::Validating(_) => view! { <PluginDesk lab desk plan plugins walk /> }.into_any(),
            _ => view! { <BigDesk lab desk plan walk tellers server /> }.into_any(),
        })
        .collect_view()
}

/// The light-up delay of a desk visited `order`-th (none with reduced motion: CSS drops the
/// animation).
fn light_up(order: Option<usize>) -> String {
    order.map_or(String::new(), |o| format!("animation-delay: {}ms", o.saturating_sub(1) * 30))
}

/// An admission plugin's desk: one row of its column, with its M/V tag.
#[component]
fn PluginDesk(lab: Lab, desk: Desk, plan: Memo<Floorplan>, plugins: Memo<Plugins>, walk: Memo<Walk>) -> impl IntoView {
    let lang = lab.lang;
    let r = plan.with_untracked(|p| p.rect(desk));
    let (name, tag) = plugins.with_untracked(|p| {
        let i = match desk {
            Desk::Mutating(i) | Desk::Validating(i) => i,
            _ => 0,
        };
        p.get(i).map_or(("?", ""), |x| (x.0, model::phase_tag(x.1, x.2)))
    });
    let visit = Memo::new(move |_| walk.with(|w| w.visits.get(&desk).cloned()));
    let kind = Memo::new(move |_| visit.with(|v| v.as_ref().map(|v| v.kind)));
    let did =
        move || visit.with(|v| v.as_ref().is_some_and(|v| !matches!(v.kind, StepKind::Passed) || v.webhook.is_some()));
    let label = Memo::new(move |_| {
        visit.with(|v| match v.as_ref().and_then(|v| v.webhook.as_ref()) {
            Some(hook) => format!("{name} → {hook}"),
            None => name.to_string(),
        })
    });
    let title = move || {
        let l = lang.get();
        visit.with(|v| {
            let word = step_word(v.as_ref().map(|v| v.kind)).get(l);
            let text = v.as_ref().map(|v| v.text.as_str()).filter(|t| !t.is_empty());
            match text {
                Some(t) => format!("{} [{tag}] · {word}: {t}", label.get()),
                None => format!("{} [{tag}] · {word}", label.get()),
            }
        })
    };
    view! {
        <g
            class="desk desk-row"
            class:did=did
            class:visited=move || kind.get().is_some()
            data-desk=name
            data-phase=desk.phase()
            data-state=move || state_attr(kind.get())
            data-order=move || visit.with(|v| v.as_ref().map_or(String::new(), |v| v.order.to_string()))
            style=move || light_up(visit.with(|v| v.as_ref().map(|v| v.order)))
        >
            <title>{title}</title>
            <rect class="desk-body" x=num(r.x) y=num(r.y) width=num(r.w) height=num(r.h) rx="3" />
            <text class="desk-glyph" x=num(r.x + 9.0) y=num(r.y + 13.0) text-anchor="middle">
                {move || glyph(kind.get())}
            </text>
            <text
                class="desk-row-name"
                x=num(r.x + 19.0)
                y=num(r.y + 13.0)
                textLength=move || label.with(|s| model::squeeze(s, 11.5, r.w - 19.0 - 32.0))
                lengthAdjust="spacingAndGlyphs"
            >
                {move || label.get()}
            </text>
            <text class="desk-tag" x=num(r.x + r.w - 5.0) y=num(r.y + 13.0) text-anchor="end">
                {tag}
            </text>
            <StopSign walk desk x=r.x + r.w y=r.y + r.h / 2.0 />
        </g>
    }
}

/// A stop sign on the desk that rejected the request, with the status code.
#[component]
fn StopSign(walk: Memo<Walk>, desk: Desk, x: f64, y: f64) -> impl IntoView {
    let code = Memo::new(move |_| {
        walk.with(|w| {
            (w.stopped_at == Some(desk))
                .then(|| w.visits.get(&desk).and_then(|v| v.text.split(' ').next().map(str::to_string)))
                .flatten()
        })
    });
    move || {
        code.get().map(|c| {
            view! {
                <g class="stop-sign" transform=format!("translate({} {})", num(x), num(y)) aria-hidden="true">
                    <path d="M-6 -14 H6 L14 -6 V6 L6 14 H-6 L-14 6 V-6 Z" />
                    <text x="0" y="4" text-anchor="middle">
                        {c}
                    </text>
                </g>
            }
        })
    }
}

/// A desk of its own: authentication, impersonation, authorization, validation, the handler,
/// the watch cache, etcd.
#[component]
fn BigDesk(
    lab: Lab,
    desk: Desk,
    plan: Memo<Floorplan>,
    walk: Memo<Walk>,
    tellers: Memo<Vec<TellerView>>,
    server: Memo<Option<u8>>,
) -> impl IntoView {
    let lang = lab.lang;
    let r = plan.with_untracked(|p| p.rect(desk));
    let (title_tr, name) = desk_words(desk);
    let visit = Memo::new(move |_| walk.with(|w| w.visits.get(&desk).cloned()));
    let kind = Memo::new(move |_| visit.with(|v| v.as_ref().map(|v| v.kind)));
    let cx = r.x + r.w / 2.0;
    let state_line = Memo::new(move |_| {
        let l = lang.get();
        let k = kind.get();
        let word = match (desk, k) {
            (Desk::Etcd, Some(StepKind::Waiting)) => i18n::WAITING_FOR_ETCD,
            _ => step_word(k),
        };
        format!("{} {}", glyph(k), word.get(l))
    });
    // The line under the verdict: who, which binding, which revision, the teller's cache.
    let note = Memo::new(move |_| {
        let l = lang.get();
        let said = visit.with(|v| v.as_ref().map(|v| desk_note(desk, v)).unwrap_or_default());
        match desk {
            Desk::WatchCache => {
                let cache = server
                    .get()
                    .and_then(|s| tellers.with(|t| t.iter().find(|t| t.node == s).map(|t| cache_line(l, t))));
                cache.unwrap_or(said)
            }
            Desk::Etcd => String::new(),
            _ => said,
        }
    });
    let note_y = if desk == Desk::Impersonation { r.y + 34.0 } else { r.y + r.h - 10.0 };
    let title = move || {
        let l = lang.get();
        let text = visit.with(|v| v.as_ref().map(|v| v.text.clone()).unwrap_or_default());
        format!(
            "{} ({name}) · {}{}",
            title_tr.get(l),
            step_word(kind.get()).get(l),
            if text.is_empty() { String::new() } else { format!(": {text}") }
        )
    };
    view! {
        <g
            class="desk desk-big"
            class:did=move || kind.get().is_some_and(|k| k != StepKind::Passed)
            class:visited=move || kind.get().is_some()
            data-desk=name
            data-state=move || state_attr(kind.get())
            data-order=move || visit.with(|v| v.as_ref().map_or(String::new(), |v| v.order.to_string()))
            style=move || light_up(visit.with(|v| v.as_ref().map(|v| v.order)))
        >
            <title>{title}</title>
            <rect class="desk-body" x=num(r.x) y=num(r.y) width=num(r.w) height=num(r.h) rx="8" />
            <text
                class="desk-title"
                x=num(cx)
                y=num(r.y + 17.0)
                text-anchor="middle"
                textLength=move || model::squeeze(title_tr.get(lang.get()), 12.5, r.w - 12.0)
                lengthAdjust="spacingAndGlyphs"
            >
                {i18n::tr(lang, title_tr)}
            </text>
            {(desk != Desk::Impersonation)
                .then(|| {
                    view! {
                        <text class="desk-name" x=num(cx) y=num(r.y + 31.0) text-anchor="middle">
                            {name}
                        </text>
                    }
                })}
            <text
                class="desk-state"
                x=num(cx)
                y=num(if desk == Desk::Impersonation { r.y + 31.0 } else { r.y + 47.0 })
                text-anchor="middle"
            >
                {move || if desk == Desk::Impersonation && kind.get().is_none() { String::new() } else { state_line.get() }}
            </text>
            {(desk != Desk::Impersonation && desk != Desk::Etcd)
                .then(|| {
                    view! {
                        <text
                            class="desk-note"
                            x=num(cx)
                            y=num(note_y)
                            text-anchor="middle"
                            textLength=move || note.with(|s| model::squeeze(s, 10.0, r.w - 10.0))
                            lengthAdjust="spacingAndGlyphs"
                        >
                            {move || note.get()}
                        </text>
                    }
                })}
            <Show when=move || visit.with(Option::is_some)>
                <g class="order-badge" aria-hidden="true">
                    <circle cx=num(r.x + 4.0) cy=num(r.y + 4.0) r="10" />
                    <text x=num(r.x + 4.0) y=num(r.y + 8.0) text-anchor="middle">
                        {move || visit.with(|v| v.as_ref().map_or(String::new(), |v| v.order.to_string()))}
                    </text>
                </g>
            </Show>
            {(desk == Desk::Etcd).then(|| view! { <EtcdWait lab walk r /> })}
            <StopSign walk desk x=r.x + r.w y=r.y + r.h / 2.0 />
        </g>
    }
}

/// Inside the etcd desk: how long the request has waited for etcd (and the timeout), or what
/// etcd answered.
#[component]
fn EtcdWait(lab: Lab, walk: Memo<Walk>, r: model::Rect) -> impl IntoView {
    let lang = lab.lang;
    let since = Memo::new(move |_| walk.with(|w| w.waiting.filter(|(d, _)| *d == Desk::Etcd).map(|(_, at)| at)));
    let answer = Memo::new(move |_| {
        walk.with(|w| w.visits.get(&Desk::Etcd).filter(|v| v.kind != StepKind::Waiting).map(|v| v.text.clone()))
    });
    let bar_w = r.w - 24.0;
    view! {
        {move || match since.get() {
            Some(at) => {
                let waited = Memo::new(move |_| lab.view.with(|v| v.now_us.saturating_sub(at)));
                view! {
                    <g class="etcd-wait" data-waited-us=move || waited.get().to_string()>
                        <text class="wait-text" x=num(r.x + r.w / 2.0) y=num(r.y + 63.0) text-anchor="middle">
                            {move || {
                                let l = lang.get();
                                format!(
                                    "{} / {} ({})",
                                    model::seconds_text(waited.get()),
                                    model::seconds_text(ETCD_REQUEST_TIMEOUT_US),
                                    i18n::ETCD_TIMEOUT_NOTE.get(l),
                                )
                            }}
                        </text>
                        <rect class="wait-track" x=num(r.x + 12.0) y=num(r.y + 69.0) width=num(bar_w) height="6" rx="3" />
                        <rect
                            class="wait-fill"
                            x=num(r.x + 12.0)
                            y=num(r.y + 69.0)
                            height="6"
                            rx="3"
                            width=move || {
                                let f = (waited.get() as f64 / ETCD_REQUEST_TIMEOUT_US as f64).min(1.0);
                                num(bar_w * f)
                            }
                        />
                    </g>
                }
                    .into_any()
            }
            None => {
                view! {
                    <text
                        class="desk-note"
                        x=num(r.x + r.w / 2.0)
                        y=num(r.y + 66.0)
                        text-anchor="middle"
                        textLength=move || answer.with(|a| a.as_deref().and_then(|s| model::squeeze(s, 10.0, r.w - 10.0)))
                        lengthAdjust="spacingAndGlyphs"
                    >
                        {move || answer.get().unwrap_or_default()}
                    </text>
                }
                    .into_any()
            }
        }}
    }
}

/// The basement: the etcd members (each API server talks to its own node's member), the
/// cluster's newest revision.
#[component]
fn Basement(lab: Lab, plan: Memo<Floorplan>, walk: Memo<Walk>, server: Memo<Option<u8>>) -> impl IntoView {
    let lang = lab.lang;
    let count = Memo::new(move |_| lab.view.with(|v| v.members.len()));
    let newest = Memo::new(move |_| lab.view.with(|v| v.members.iter().map(|m| m.revision).max().unwrap_or(0)));
    let etcd = plan.with_untracked(|p| p.rect(Desk::Etcd));
    let reached = Memo::new(move |_| walk.with(|w| w.visits.contains_key(&Desk::Etcd)));
    // Each API server talks to its own node's etcd member (kubeadm: --etcd-servers=127.0.0.1).
    let link = move || {
        let node = server.get()?;
        let (x, w) = model::member_slot(usize::from(node).saturating_sub(1), count.get());
        let y = model::MEMBERS_TOP - 8.0;
        Some(format!("M{} {} H{} V{}", num(etcd.x), num(y), num(x + w / 2.0), num(model::MEMBERS_TOP)))
    };
    view! {
        <g class="basement">
            <text class="basement-note" x=num(etcd.x - 16.0) y=num(model::BASEMENT_TOP + 17.0) text-anchor="end">
                {move || format!("{} r{}", i18n::CLUSTER_REVISION.get(lang.get()), newest.get())}
            </text>
            <path class="etcd-link" class:used=move || reached.get() d=move || link().unwrap_or_default() aria-hidden="true" />
            <For each=move || 0..count.get() key=|i| *i let:i>
                <EtcdMemberBox lab index=i count server />
            </For>
        </g>
    }
}

#[component]
fn EtcdMemberBox(lab: Lab, index: usize, count: Memo<usize>, server: Memo<Option<u8>>) -> impl IntoView {
    let lang = lab.lang;
    let member = Memo::new(move |_| lab.view.with(|v| v.members.get(index).cloned()));
    let partitioned = Memo::new(move |_| lab.view.with(|v| v.partitioned));
    let slot = Memo::new(move |_| model::member_slot(index, count.get()));
    let id = (index + 1) as u8;
    let top = model::MEMBERS_TOP;
    let h = model::MEMBER_H;
    let up = move || member.with(|m| m.as_ref().is_some_and(|m| m.up && !m.removed));
    let leader = move || up() && member.with(|m| m.as_ref().is_some_and(|m| m.role == Role::Leader));
    let role_word = move || {
        let l = lang.get();
        member.with(|m| {
            m.as_ref().map_or_else(String::new, |m| {
                let mark = if !up() {
                    "✕ "
                } else if leader() {
                    "♛ "
                } else {
                    ""
                };
                format!("{mark}{}", i18n::role_label(l, m))
            })
        })
    };
    let text = move |y: f64, class: &'static str, f: Box<dyn Fn() -> String + Send + Sync>| {
        let s = Memo::new(move |_| f());
        view! {
            <text
                class=class
                x=move || num(slot.get().0 + 7.0)
                y=num(top + y)
                textLength=move || s.with(|s| model::squeeze(s, 11.0, slot.get().1 - 12.0))
                lengthAdjust="spacingAndGlyphs"
            >
                {move || s.get()}
            </text>
        }
    };
    view! {
        <g
            class="etcd-member"
            class:local=move || server.get() == Some(id)
            class:down=move || !up()
            class:leader=leader
            data-etcd-member=id.to_string()
            data-up=move || up().to_string()
            data-revision=move || member.with(|m| m.as_ref().map_or(0, |m| m.revision).to_string())
        >
            <rect
                class="etcd-member-body"
                x=move || num(slot.get().0)
                y=num(top)
                width=move || num(slot.get().1)
                height=num(h)
                rx="7"
            />
            {text(16.0, "etcd-member-name", Box::new(move || format!("etcd-{id}")))}
            {text(32.0, "etcd-member-line", Box::new(role_word))}
            {text(
                48.0,
                "etcd-member-line",
                Box::new(move || {
                    format!("{} {}", i18n::REVISION.get(lang.get()), member.with(|m| m.as_ref().map_or(0, |m| m.revision)))
                }),
            )}
            {text(
                64.0,
                "etcd-member-small",
                Box::new(move || {
                    let l = lang.get();
                    let side = member.with(|m| m.as_ref().map_or(0, |m| m.group));
                    let local = server.get() == Some(id);
                    match (local, partitioned.get()) {
                        (true, true) => format!("{} · {} {side}", i18n::LOCAL_MEMBER.get(l), i18n::SIDE.get(l)),
                        (true, false) => i18n::LOCAL_MEMBER.get(l).to_string(),
                        (false, true) => format!("{} {side}", i18n::SIDE.get(l)),
                        (false, false) => String::new(),
                    }
                }),
            )}
        </g>
    }
}
