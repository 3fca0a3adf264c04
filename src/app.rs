//! The page: the controls, the bank vault diagram, the office (API servers), the robot factory
//! (controllers, scheduler, nodes), the command line, the event log, share, legend and notes.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

use crate::browser;
use crate::command_line::CommandLine;
use crate::diagram::VaultDiagram;
use crate::factory::FactorySection;
use crate::i18n;
use crate::lab::{start_from_url, Lab};
use crate::office::OfficeSection;
use crate::panels::{
    Controls, ErrorBanner, EventLog, LangSwitch, Legend, MemberActions, Notes, QuorumTable, Readouts, ReplayNotice,
    SharePanel, WatchPanel,
};

/// The simulation clock's period (about one animation frame).
const FRAME_MS: u32 = 16;

#[component]
pub fn App() -> impl IntoView {
    let loc = browser::location();
    let lab = Lab::new(start_from_url(&loc.href, &loc.search, &loc.hash), browser::prefers_reduced_motion());
    // The clock: wall time × speed → simulated time → a fresh View. Dropped (and so
    // cancelled) with the app.
    let clock = StoredValue::new_local(Some(Interval::new(FRAME_MS, move || lab.frame(browser::now_ms()))));
    on_cleanup(move || clock.try_set_value(None).map_or((), drop));
    Effect::new(move |_| {
        let l = lab.lang.get();
        browser::set_document_language(l.code(), i18n::TITLE.get(l));
    });
    let lang = lab.lang;
    view! {
        <div class="lab" class:reduced-motion=move || lab.reduced_motion.get()>
            <header class="top">
                <div>
                    <h1>{i18n::tr(lang, i18n::TITLE)}</h1>
                    <p class="subtitle">{i18n::tr(lang, i18n::SUBTITLE)}</p>
                </div>
                <LangSwitch lab />
            </header>
            <ErrorBanner lab />
            <ReplayNotice lab />
            <Controls lab />
            <Readouts lab />
            <main class="stage">
                <div class="main-column">
                    <div class="diagram-wrap" class:partition-mode=move || lab.partition_mode.get()>
                        <VaultDiagram lab />
                    </div>
                    <div class="under">
                        <MemberActions lab />
                        <WatchPanel lab />
                    </div>
                </div>
                <div class="office-column">
                    <OfficeSection lab />
                </div>
                <div class="factory-column">
                    <FactorySection lab />
                </div>
                <div class="side">
                    <SharePanel lab />
                    <CommandLine lab />
                    <EventLog lab />
                    <QuorumTable lab />
                </div>
            </main>
            <div class="bottom">
                <Legend lab />
                <Notes lab />
            </div>
        </div>
    }
}
