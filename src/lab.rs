//! The lab's state behind the page: the `World` (kept out of the reactive graph, in a local
//! `StoredValue`), the last published `View`, and the few UI settings as signals.
//!
//! Data goes one way (DESIGN.md): a click becomes a command line → `World::submit` → a fresh
//! `View` in a signal → pixels. Nothing else mutates the world.

use lab_core::hash::format_hash;
use lab_core::i18n::{Lang, Text};
use lab_core::view::{CommandView, View};
use lab_core::world::MEMBER_COUNTS;
use lab_core::{Scenario, World};
use leptos::prelude::*;

use crate::actions;
use crate::browser;
use crate::geometry::{flip_side, partition_command, side_of_group};
use crate::url;

/// The seed of a fresh page (`?seed=N` picks another): the same page load, the same election.
pub const DEFAULT_SEED: u64 = 1;
/// As in the class's diagram: three vaults, three tellers.
pub const DEFAULT_MEMBERS: u8 = 3;
/// Speeds offered (× simulated time per wall time), with their `<option>` value and label
/// (written out, so the bundle needs no float formatting or parsing). 50× lets a class watch a
/// dead node's pods move (40 s grace + 300 s toleration) in seconds.
pub const SPEEDS: [(f64, &str, &str); 9] = [
    (0.01, "0.01", "0.01×"),
    (0.1, "0.1", "0.1×"),
    (0.25, "0.25", "0.25×"),
    (0.5, "0.5", "0.5×"),
    (1.0, "1", "1×"),
    (2.0, "2", "2×"),
    (5.0, "5", "5×"),
    (10.0, "10", "10×"),
    (50.0, "50", "50×"),
];

/// The speed an `<option>` value stands for.
pub fn speed_from_value(value: &str) -> Option<f64> {
    SPEEDS.iter().find(|(_, v, _)| *v == value).map(|(s, _, _)| *s)
}
/// A quarter of real time: an election takes a few seconds to watch, and a message (10–20 ms
/// on the wire) stays in sight for a few frames. Slower speeds show every message clearly.
pub const DEFAULT_SPEED: f64 = 0.25;
/// Commands shown in the event log.
pub const LOG_ROWS: usize = 40;
/// The clock never advances more than this much wall time per frame (a tab in the
/// background, a debugger pause): the simulation slows down instead of jumping.
const FRAME_MS_MAX: f64 = 250.0;

/// What Share produced: the link and the state hash at that moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub url: String,
    pub hash: String,
    /// The scenario part (`s=1.…`), kept to rebuild the link in another language.
    pub fragment: String,
}

/// How the page starts, decided from its URL alone (testable without a browser).
pub struct Start {
    pub world: World,
    pub lang: Lang,
    /// The shared link could not be read: why, in both languages.
    pub error: Option<Text>,
    /// The shared link was replayed up to this simulated time.
    pub replayed_to_us: Option<u64>,
}

/// Reads the page's URL: language from the query, a scenario from the fragment. A fragment
/// that cannot be read gives an error and the default scenario; never a panic.
pub fn start_from_url(href: &str, search: &str, hash: &str) -> Start {
    let lang = url::lang_from_search(search);
    let seed = url::seed_from_search(search).unwrap_or(DEFAULT_SEED);
    let fresh = || World::with_kubernetes(seed, DEFAULT_MEMBERS);
    if !url::has_fragment(hash) {
        return Start { world: fresh(), lang, error: None, replayed_to_us: None };
    }
    match Scenario::from_url(href) {
        Ok(s) => {
            let world = s.replay(None);
            let t = world.now_us();
            Start { world, lang, error: None, replayed_to_us: Some(t) }
        }
        Err(e) => Start { world: fresh(), lang, error: Some(e), replayed_to_us: None },
    }
}

/// The next teller write's key number: one more than the writes already in the scenario, so
/// it continues after a replayed share link.
pub fn next_write_number(world: &World) -> usize {
    world.commands().iter().filter(|c| c.line.starts_with("lab put ")).count() + 1
}

/// The next pod key's number (`web-N`), continuing after a replayed share link.
pub fn next_pod_number(world: &World) -> usize {
    let put = format!(" put {}web-", actions::PODS_PREFIX);
    world.commands().iter().filter(|c| c.line.contains(&put)).count() + 1
}

/// Changes when the event log has something new to show (cheaper than building it).
type LogSignature = (usize, usize, usize, u64, u32);

fn log_signature(w: &World) -> LogSignature {
    let cmds = w.commands();
    let recent = &cmds[cmds.len().saturating_sub(LOG_ROWS)..];
    let done = recent.iter().filter(|c| c.done_at_us.is_some()).count();
    let t = w.transcript();
    let (last_at, last_cmd) = t.last().map_or((0, 0), |l| (l.at_us, l.cmd));
    (cmds.len(), done, t.len(), last_at, last_cmd)
}

/// Handles to the lab's state; `Copy`, so every closure in the page can hold one.
#[derive(Clone, Copy)]
pub struct Lab {
    world: StoredValue<World, LocalStorage>,
    last_frame_ms: StoredValue<Option<f64>>,
    carry_us: StoredValue<f64>,
    log_seen: StoredValue<Option<LogSignature>>,
    /// The world as last published (changes every frame while playing).
    pub view: RwSignal<View>,
    /// The most recent commands with their output.
    pub log: RwSignal<Vec<CommandView>>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub partition_mode: RwSignal<bool>,
    pub lang: RwSignal<Lang>,
    pub error: RwSignal<Option<Text>>,
    pub replayed_to_us: RwSignal<Option<u64>>,
    pub shared: RwSignal<Option<Shared>>,
    pub reduced_motion: RwSignal<bool>,
    /// The member the member controls act on.
    pub selected: RwSignal<u8>,
    /// The key and value the read and write controls use.
    pub kv_key: RwSignal<String>,
    pub kv_value: RwSignal<String>,
    /// The API request the office draws and the inspector shows (`None`: the newest).
    pub selected_request: RwSignal<Option<u64>>,
}

impl Lab {
    pub fn new(start: Start, reduced_motion: bool) -> Lab {
        let view = start.world.view();
        let log = start.world.recent_commands(LOG_ROWS);
        let seen = log_signature(&start.world);
        Lab {
            world: StoredValue::new_local(start.world),
            last_frame_ms: StoredValue::new(None),
            carry_us: StoredValue::new(0.0),
            log_seen: StoredValue::new(Some(seen)),
            view: RwSignal::new(view),
            log: RwSignal::new(log),
            // A shared link starts paused at its moment; a fresh page starts running.
            playing: RwSignal::new(start.replayed_to_us.is_none()),
            speed: RwSignal::new(DEFAULT_SPEED),
            partition_mode: RwSignal::new(false),
            lang: RwSignal::new(start.lang),
            error: RwSignal::new(start.error),
            replayed_to_us: RwSignal::new(start.replayed_to_us),
            shared: RwSignal::new(None),
            reduced_motion: RwSignal::new(reduced_motion),
            selected: RwSignal::new(1),
            kv_key: RwSignal::new("k1".to_string()),
            kv_value: RwSignal::new("v1".to_string()),
            selected_request: RwSignal::new(None),
        }
    }

    /// Publishes the world's current `View` (and the event log when it changed).
    pub fn publish(&self) {
        let Some((view, sig)) = self.world.try_with_value(|w| (w.view(), log_signature(w))) else {
            return;
        };
        if self.log_seen.try_get_value() != Some(Some(sig)) {
            if let Some(log) = self.world.try_with_value(|w| w.recent_commands(LOG_ROWS)) {
                self.log.try_set(log);
            }
            self.log_seen.try_set_value(Some(sig));
        }
        self.view.try_set(view);
    }

    /// One animation frame: advance simulated time by wall time elapsed × speed.
    pub fn frame(&self, now_ms: f64) {
        if self.playing.try_get_untracked() != Some(true) {
            self.last_frame_ms.try_set_value(None);
            return;
        }
        let last = self.last_frame_ms.try_get_value().flatten();
        self.last_frame_ms.try_set_value(Some(now_ms));
        let Some(last) = last else {
            return;
        };
        let dt_ms = (now_ms - last).clamp(0.0, FRAME_MS_MAX);
        let speed = self.speed.try_get_untracked().unwrap_or(DEFAULT_SPEED);
        let us = dt_ms * 1000.0 * speed + self.carry_us.try_get_value().unwrap_or(0.0);
        let whole = us.floor();
        self.carry_us.try_set_value(us - whole);
        if whole < 1.0 {
            return;
        }
        self.world.try_update_value(|w| {
            let t = w.now_us().saturating_add(whole as u64);
            w.run_until(t);
        });
        self.publish();
    }

    /// Applies one command line at the current simulated time (every click ends here).
    pub fn submit(&self, line: &str) {
        self.world.try_update_value(|w| {
            w.submit(line);
        });
        self.publish();
    }

    /// A line typed in the command line: run it, and let the office follow the newest request
    /// (the one it sends, if it is a kubectl command).
    pub fn run_typed(&self, line: &str) {
        self.selected_request.set(None);
        self.submit(line);
    }

    pub fn play(&self) {
        self.replayed_to_us.set(None);
        self.playing.set(true);
    }

    pub fn pause(&self) {
        self.playing.set(false);
    }

    /// Pauses and advances to the next event's instant (every event at that instant, so a
    /// share link made now replays to exactly this state).
    pub fn step(&self) {
        self.playing.set(false);
        self.world.try_update_value(|w| {
            if let Some(t) = w.next_event_us() {
                w.run_until(t);
            }
        });
        self.publish();
    }

    /// A new scenario with `members` etcd members (same seed), at time 0.
    pub fn new_scenario(&self, members: u8) {
        if !MEMBER_COUNTS.contains(&members) {
            return;
        }
        let seed = self.world.try_with_value(World::seed).unwrap_or(DEFAULT_SEED);
        self.world.try_set_value(World::with_kubernetes(seed, members));
        self.log_seen.try_set_value(None);
        self.selected.update(|s| *s = (*s).min(members));
        self.selected_request.set(None);
        self.replayed_to_us.set(None);
        self.shared.set(None);
        // The address bar no longer describes this world.
        let loc = browser::location();
        browser::replace_url(&format!("{}{}", loc.pathname, loc.search));
        self.publish();
    }

    /// A press on vault `id`: crash / restart it, or (partition mode) move it across the line.
    pub fn press_vault(&self, id: u8) {
        if self.partition_mode.get_untracked() {
            let sides: Vec<u8> =
                self.view.with_untracked(|v| v.members.iter().map(|m| side_of_group(m.group)).collect());
            self.submit(&partition_command(&flip_side(&sides, id)));
        } else {
            let up =
                self.world.try_with_value(|w| w.members().get(usize::from(id).wrapping_sub(1)).map(|m| m.up)).flatten();
            match up {
                Some(true) => self.submit(&format!("lab crash etcd-{id}")),
                Some(false) => self.submit(&format!("lab restart etcd-{id}")),
                None => {}
            }
        }
    }

    /// A press on teller `id`: a client write through it.
    pub fn press_teller(&self, id: u8) {
        let n = self.world.try_with_value(next_write_number).unwrap_or(1);
        self.submit(&format!("lab put k{n} v{n} --via etcd-{id}"));
    }

    /// A pod key written through the selected member, for the watch streams to see:
    /// `etcdctl --endpoints=etcd-2 put /registry/pods/default/web-3 Running`.
    pub fn put_pod(&self) {
        let n = self.world.try_with_value(next_pod_number).unwrap_or(1);
        let id = self.selected.get_untracked();
        if let Some(line) = actions::put_command(id, &format!("{}web-{n}", actions::PODS_PREFIX), "Running") {
            self.submit(&line);
        }
    }

    /// Builds the share link for the world as it is now, tries to copy it, and shows it.
    pub fn share(&self) {
        let Some((fragment, hash)) =
            self.world.try_with_value(|w| (Scenario::from_world(w).to_fragment(), format_hash(w.state_hash())))
        else {
            return;
        };
        let fragment = match fragment {
            Ok(f) => f,
            // Too long to share: say so in the banner; the world is untouched.
            Err(e) => {
                self.error.set(Some(e));
                return;
            }
        };
        let loc = browser::location();
        let link = url::share_url(&loc.origin, &loc.pathname, self.lang.get_untracked(), &fragment);
        browser::copy_to_clipboard(&link);
        self.shared.set(Some(Shared { url: link, hash, fragment }));
    }

    /// Switches language in place, and in the address bar (the fragment is kept).
    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        let loc = browser::location();
        browser::replace_url(&format!("{}{}{}", loc.pathname, url::search_with_lang(&loc.search, lang), loc.hash));
        // A link already shown switches language too (same scenario, same hash).
        self.shared.update(|s| {
            if let Some(s) = s {
                s.url = url::share_url(&loc.origin, &loc.pathname, lang, &s.fragment);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_are_read_from_their_option_values() {
        assert_eq!(speed_from_value("0.25"), Some(0.25));
        assert_eq!(speed_from_value("10"), Some(10.0));
        assert_eq!(speed_from_value("1e9"), None);
        assert!(SPEEDS.iter().any(|(s, _, _)| *s == DEFAULT_SPEED));
    }

    #[test]
    fn a_fresh_page_and_a_broken_link_start_the_default_scenario() {
        let s = start_from_url("http://h/", "", "");
        assert!(s.error.is_none() && s.replayed_to_us.is_none());
        let s = start_from_url("http://h/?lang=en#s=1.%%%", "?lang=en", "#s=1.%%%");
        assert_eq!(s.lang, Lang::En);
        assert!(s.error.is_some());
        assert_eq!(s.world.member_count(), DEFAULT_MEMBERS);
    }
}
