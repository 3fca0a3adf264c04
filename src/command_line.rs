//! The command line: any line the headless `lab shell` takes (kubectl, etcdctl, lab, sleep,
//! help), run at the current simulated instant; its output shows in the command log. ↑/↓ recall
//! earlier lines (kept in the page only, not in the scenario).

use lab_core::shell::LINE_BYTES_MAX;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use crate::i18n::{self, Tr};
use crate::lab::Lab;

/// Lines the history keeps.
pub const HISTORY_MAX: usize = 50;
/// The input field never holds more than this (a pasted megabyte is cut by the browser); the
/// byte limit of the shell is checked on top, with a message.
pub const INPUT_CHARS_MAX: usize = 2 * LINE_BYTES_MAX;

/// The lines run so far and where ↑/↓ stand, like a shell's history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
    /// The entry shown now (`None`: the line being typed).
    cursor: Option<usize>,
    /// The line being typed when ↑ was first pressed.
    draft: String,
}

impl History {
    /// Remembers a line that ran (not a blank one, not the same as the last), and goes back to
    /// a fresh line.
    pub fn push(&mut self, line: &str) {
        self.cursor = None;
        self.draft.clear();
        let line = line.trim();
        if line.is_empty() || self.entries.last().is_some_and(|l| l == line) {
            return;
        }
        self.entries.push(line.to_string());
        if self.entries.len() > HISTORY_MAX {
            self.entries.remove(0);
        }
    }

    /// ↑: the previous line (the first press keeps `current` as the draft); `None`: nothing
    /// older.
    pub fn up(&mut self, current: &str) -> Option<String> {
        let next = match self.cursor {
            None => {
                let last = self.entries.len().checked_sub(1)?;
                self.draft = current.to_string();
                last
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.cursor = Some(next);
        Some(self.entries[next].clone())
    }

    /// ↓: the next line, then the draft again; `None`: already on the line being typed.
    pub fn down(&mut self) -> Option<String> {
        let i = self.cursor?;
        if i + 1 < self.entries.len() {
            self.cursor = Some(i + 1);
            Some(self.entries[i + 1].clone())
        } else {
            self.cursor = None;
            Some(std::mem::take(&mut self.draft))
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether the shell would refuse `line` as too long.
pub fn too_long(line: &str) -> bool {
    line.len() > LINE_BYTES_MAX
}

#[component]
pub fn CommandLine(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let t = move |x: Tr| i18n::tr(lang, x);
    let line = RwSignal::new(String::new());
    let history = StoredValue::new(History::default());
    let input = NodeRef::<html::Input>::new();
    let bytes = Memo::new(move |_| line.with(String::len));
    let over = Memo::new(move |_| bytes.get() > LINE_BYTES_MAX);
    let run = move || {
        let text = line.get_untracked();
        if text.trim().is_empty() || too_long(&text) {
            return;
        }
        history.update_value(|h| h.push(&text));
        line.set(String::new());
        lab.run_typed(text.trim());
    };
    let recall = move |ev: KeyboardEvent| {
        let got = match ev.key().as_str() {
            "ArrowUp" => history.try_update_value(|h| h.up(&line.get_untracked())).flatten(),
            "ArrowDown" => history.try_update_value(History::down).flatten(),
            _ => return,
        };
        ev.prevent_default();
        if let Some(text) = got {
            let end = text.encode_utf16().count() as u32;
            line.set(text);
            // The caret goes to the end of the recalled line, as in a shell (the DOM is the
            // outside world: set it here, not in an effect).
            if let Some(i) = input.get_untracked() {
                i.set_value(&line.get_untracked());
                let _ = i.set_selection_range(end, end);
            }
        }
    };
    view! {
        <section id="command-panel" class="panel command-panel" aria-labelledby="command-title">
            <h2 id="command-title">{t(i18n::COMMAND_LINE)}</h2>
            <form
                class="command-line"
                on:submit=move |ev| {
                    ev.prevent_default();
                    run();
                }
            >
                <label for="command-input" class="command-label">
                    {t(i18n::COMMAND_LABEL)}
                </label>
                <div class="command-row">
                    <span class="prompt" aria-hidden="true">
                        "$"
                    </span>
                    <input
                        id="command-input"
                        type="text"
                        node_ref=input
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        maxlength=INPUT_CHARS_MAX.to_string()
                        placeholder=t(i18n::COMMAND_PLACEHOLDER)
                        aria-describedby="command-hint command-error"
                        aria-invalid=move || over.get().to_string()
                        prop:value=move || line.get()
                        on:input=move |ev| line.set(event_target_value(&ev))
                        on:keydown=recall
                    />
                    <button id="command-run" type="submit" disabled=move || over.get()>
                        {t(i18n::COMMAND_RUN)}
                    </button>
                </div>
                <p id="command-error" class="command-error" role="alert">
                    {move || {
                        over.get().then(|| i18n::command_too_long(lang.get(), bytes.get(), LINE_BYTES_MAX))
                    }}
                </p>
                <p id="command-hint" class="hint">
                    {t(i18n::COMMAND_HINT)}
                </p>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_history_like_a_shell() {
        let mut h = History::default();
        assert_eq!(h.up("typing"), None);
        h.push("kubectl get pods");
        h.push("kubectl get pods");
        h.push("   ");
        h.push("lab status");
        assert_eq!(h.len(), 2);
        assert_eq!(h.up("kubectl ru").as_deref(), Some("lab status"));
        assert_eq!(h.up("ignored").as_deref(), Some("kubectl get pods"));
        assert_eq!(h.up("ignored"), None);
        assert_eq!(h.down().as_deref(), Some("lab status"));
        assert_eq!(h.down().as_deref(), Some("kubectl ru"));
        assert_eq!(h.down(), None);
        h.push("help");
        assert_eq!(h.up("").as_deref(), Some("help"));
    }

    #[test]
    fn the_history_keeps_the_newest_lines() {
        let mut h = History::default();
        for i in 0..HISTORY_MAX + 5 {
            h.push(&format!("sleep {i}s"));
        }
        assert_eq!(h.len(), HISTORY_MAX);
        let mut first = None;
        while let Some(l) = h.up("") {
            first = Some(l);
        }
        assert_eq!(first.as_deref(), Some("sleep 5s"));
    }

    #[test]
    fn a_line_longer_than_the_shell_takes_is_refused() {
        assert!(!too_long(&"x".repeat(LINE_BYTES_MAX)));
        assert!(too_long(&"x".repeat(LINE_BYTES_MAX + 1)));
        // Bytes, not characters: 1,366 Hangul syllables are 4,098 bytes.
        assert!(too_long(&"가".repeat(1366)));
    }
}
