//! The office drawing's floor plan and a request's walk through it: where each desk stands, and
//! which desks a request visited, in what order, with what verdict. Pure functions (tested
//! natively); `office.rs` draws them.
//!
//! The floors follow the handout's "정부 청사" (Part 2): floor 1 checks the visitor
//! (authentication, impersonation, authorization, then admission: the mutating plugins,
//! validation, the validating plugins — the v1.27 order of `OfficeView::plugins`), floor 2
//! handles the request (the REST handler, or the teller's watch cache for `?resourceVersion=0`),
//! and the basement is etcd.

use std::collections::BTreeMap;

use lab_core::view::{RequestView, StepKind};

/// The drawing's coordinate space (`viewBox="0 0 WIDTH HEIGHT"`).
pub const WIDTH: f64 = 880.0;
pub const HEIGHT: f64 = 736.0;
pub const VIEW_BOX: &str = "0 0 880 736";

/// The selected request's summary and verdict lines.
pub const SUMMARY_Y: f64 = 22.0;
pub const VERDICT_Y: f64 = 44.0;
pub const VERDICT_LINE_H: f64 = 18.0;
/// The tellers' row (API servers) above the building.
pub const TELLERS_TOP: f64 = 82.0;
pub const TELLER_CARD_H: f64 = 88.0;
pub const TELLERS_LEFT: f64 = 150.0;
/// The corridor between the tellers and floor 1 the route walks along.
pub const CORRIDOR_Y: f64 = 177.0;
/// Floor 1: the checks.
pub const FLOOR1_TOP: f64 = 184.0;
pub const FLOOR1_BOTTOM: f64 = 500.0;
/// Floor 2: handling.
pub const FLOOR2_TOP: f64 = 510.0;
pub const FLOOR2_BOTTOM: f64 = 606.0;
/// The basement: etcd.
pub const BASEMENT_TOP: f64 = 616.0;
pub const BASEMENT_BOTTOM: f64 = 728.0;

/// Admission plugin rows: the first row's top and each row's height.
const ROWS_TOP: f64 = 236.0;
pub const ROW_H: f64 = 19.0;
/// Columns of floor 1, left to right.
const COL_A: (f64, f64) = (12.0, 140.0);
const COL_MUT: (f64, f64) = (168.0, 236.0);
const COL_VAL_DESK: (f64, f64) = (424.0, 96.0);
const COL_VAL: (f64, f64) = (540.0, 236.0);

/// A desk of the office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Desk {
    Authentication,
    Impersonation,
    Authorization,
    /// An admission plugin (its index in `OfficeView::plugins`) in the mutating phase.
    Mutating(usize),
    Validation,
    /// An admission plugin in the validating phase.
    Validating(usize),
    Handler,
    WatchCache,
    Etcd,
}

impl Desk {
    /// `data-desk`: the desk's name as the request's steps say it (plugins by their name).
    pub fn name(self, plugins: &[(&'static str, bool, bool)]) -> &'static str {
        match self {
            Desk::Authentication => "authentication",
            Desk::Impersonation => "impersonation",
            Desk::Authorization => "authorization",
            Desk::Mutating(i) | Desk::Validating(i) => plugins.get(i).map_or("?", |p| p.0),
            Desk::Validation => "validation",
            Desk::Handler => "handler",
            Desk::WatchCache => "watch cache",
            Desk::Etcd => "etcd",
        }
    }

    /// `data-phase` of an admission desk.
    pub fn phase(self) -> Option<&'static str> {
        match self {
            Desk::Mutating(_) => Some("mutating"),
            Desk::Validating(_) => Some("validating"),
            _ => None,
        }
    }

    /// 1: checks, 2: handling, 0: basement (as `StepView::floor`).
    pub fn floor(self) -> u8 {
        match self {
            Desk::Handler | Desk::WatchCache => 2,
            Desk::Etcd => 0,
            _ => 1,
        }
    }
}

/// A rectangle in the drawing's coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// Where teller `i` of `n` stands in the tellers' row: (x, width).
pub fn teller_slot(i: usize, n: usize) -> (f64, f64) {
    const GAP: f64 = 10.0;
    let avail = WIDTH - 8.0 - TELLERS_LEFT;
    let w = (avail / n.max(1) as f64 - GAP).min(230.0);
    (TELLERS_LEFT + i as f64 * (w + GAP), w)
}

/// Where etcd member `i` of `n` stands in the basement: (x, width).
pub fn member_slot(i: usize, n: usize) -> (f64, f64) {
    const GAP: f64 = 8.0;
    let avail = COL_VAL.0 - 20.0 - 12.0;
    let w = (avail / n.max(1) as f64 - GAP).min(150.0);
    (12.0 + i as f64 * (w + GAP), w)
}

/// The members' boxes in the basement: top and height.
pub const MEMBERS_TOP: f64 = 646.0;
pub const MEMBER_H: f64 = 72.0;

/// M, V or M+V: the phases an admission plugin takes part in.
pub fn phase_tag(mutating: bool, validating: bool) -> &'static str {
    match (mutating, validating) {
        (true, true) => "M+V",
        (true, false) => "M",
        (false, true) => "V",
        (false, false) => "",
    }
}

/// Where the desks stand: the plugins of each admission phase, in their order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Floorplan {
    pub mutating: Vec<usize>,
    pub validating: Vec<usize>,
}

impl Floorplan {
    pub fn new(plugins: &[(&'static str, bool, bool)]) -> Floorplan {
        let pick = |f: fn(&(&'static str, bool, bool)) -> bool| {
            plugins.iter().enumerate().filter(|(_, p)| f(p)).map(|(i, _)| i).collect()
        };
        Floorplan { mutating: pick(|p| p.1), validating: pick(|p| p.2) }
    }

    /// Every desk, in the order a request meets them.
    pub fn desks(&self) -> Vec<Desk> {
        let mut d = vec![Desk::Authentication, Desk::Impersonation, Desk::Authorization];
        d.extend(self.mutating.iter().map(|&i| Desk::Mutating(i)));
        d.push(Desk::Validation);
        d.extend(self.validating.iter().map(|&i| Desk::Validating(i)));
        d.extend([Desk::Handler, Desk::WatchCache, Desk::Etcd]);
        d
    }

    /// The bottom of the taller admission column.
    pub fn rows_bottom(&self) -> f64 {
        ROWS_TOP + ROW_H * self.mutating.len().max(self.validating.len()) as f64
    }

    pub fn rect(&self, desk: Desk) -> Rect {
        let row = |col: (f64, f64), list: &[usize], i: usize| {
            let n = list.iter().position(|&x| x == i).unwrap_or(0) as f64;
            Rect { x: col.0, y: ROWS_TOP + n * ROW_H, w: col.1, h: ROW_H - 2.0 }
        };
        match desk {
            Desk::Authentication => Rect { x: COL_A.0, y: 228.0, w: COL_A.1, h: 74.0 },
            Desk::Impersonation => Rect { x: COL_A.0 + 14.0, y: 318.0, w: COL_A.1 - 28.0, h: 40.0 },
            Desk::Authorization => Rect { x: COL_A.0, y: 374.0, w: COL_A.1, h: 74.0 },
            Desk::Mutating(i) => row(COL_MUT, &self.mutating, i),
            Desk::Validation => Rect { x: COL_VAL_DESK.0, y: 330.0, w: COL_VAL_DESK.1, h: 66.0 },
            Desk::Validating(i) => row(COL_VAL, &self.validating, i),
            Desk::WatchCache => Rect { x: 300.0, y: 526.0, w: 220.0, h: 72.0 },
            Desk::Handler => Rect { x: COL_VAL.0, y: 526.0, w: COL_VAL.1, h: 72.0 },
            Desk::Etcd => Rect { x: COL_VAL.0, y: 638.0, w: COL_VAL.1, h: 82.0 },
        }
    }

    /// Where the route passes a desk: a plugin row at its left edge (the rows stack, so the
    /// line runs down the column's margin), any other desk at its centre.
    pub fn anchor(&self, desk: Desk) -> (f64, f64) {
        let r = self.rect(desk);
        match desk {
            Desk::Mutating(_) | Desk::Validating(_) => (r.x - 6.0, r.y + r.h / 2.0),
            _ => r.center(),
        }
    }

    /// The selected request's path as a polyline of horizontal and vertical segments: out of
    /// its teller (centre `teller_x`), along the corridor above floor 1, then desk to desk. A
    /// column of plugin rows is walked down its left margin; leaving it, the path drops below
    /// the columns first; crossing floors, it goes through the gap between them.
    pub fn route_points(&self, teller_x: f64, route: &[Desk]) -> Vec<(f64, f64)> {
        let mut pts = vec![(teller_x, TELLERS_TOP + TELLER_CARD_H), (teller_x, CORRIDOR_Y)];
        let Some(&first) = route.first() else { return Vec::new() };
        pts.push((self.anchor(first).0, CORRIDOR_Y));
        pts.push(self.anchor(first));
        let column = |d: Desk| match d {
            Desk::Mutating(_) => Some(0),
            Desk::Validating(_) => Some(1),
            _ => None,
        };
        let floor_band = |f: u8| match f {
            1 => (FLOOR1_TOP, FLOOR1_BOTTOM),
            2 => (FLOOR2_TOP, FLOOR2_BOTTOM),
            _ => (BASEMENT_TOP, BASEMENT_BOTTOM),
        };
        for pair in route.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let (p, q) = (self.anchor(from), self.anchor(to));
            let same_column = column(from).is_some() && column(from) == column(to);
            if p.0 == q.0 || p.1 == q.1 || same_column {
                pts.push(q);
                continue;
            }
            if column(from).is_some() {
                // Out of the column at its foot, across, then up or down into the next desk.
                let y = self.rows_bottom() + 6.0;
                pts.extend([(p.0, y), (q.0, y), q]);
            } else if column(to).is_some() {
                // Into a column's margin: across on floor 1, or up from below it.
                if from.floor() == 1 {
                    pts.extend([(q.0, p.1), q]);
                } else {
                    let y = FLOOR1_BOTTOM + 5.0;
                    pts.extend([(p.0, y), (q.0, y), q]);
                }
            } else {
                // Between desks: through the gap next to the floor the path leaves.
                let (top, bottom) = floor_band(from.floor());
                let y = match (from.floor(), to.floor()) {
                    (a, b) if a == b => p.1,
                    (1, _) | (2, 0) => bottom + 5.0,
                    _ => top - 5.0,
                };
                pts.extend([(p.0, y), (q.0, y), q]);
            }
        }
        pts.dedup();
        pts
    }

    /// The admission columns' headers: (x, width) of the mutating and validating columns.
    pub fn columns(&self) -> ((f64, f64), (f64, f64)) {
        (COL_MUT, COL_VAL)
    }
}

/// What a desk did with the selected request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Its latest verdict (etcd: waiting, then the answer).
    pub kind: StepKind,
    /// 1 for the first desk the request met, 2 for the next…
    pub order: usize,
    /// What the desk said last (empty when it said nothing).
    pub text: String,
    /// A webhook this admission desk called (`lab webhook add`), by name.
    pub webhook: Option<String>,
}

/// The selected request's walk through the office.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Walk {
    pub visits: BTreeMap<Desk, Visit>,
    /// The desks in the order it met them (a desk met again later appears again: an update
    /// reads etcd, then goes through admission, then writes to etcd).
    pub route: Vec<Desk>,
    /// The desk that rejected it.
    pub stopped_at: Option<Desk>,
    /// Where it waits now, since when (µs).
    pub waiting: Option<(Desk, u64)>,
}

/// Which desk a step's name stands for; `None` for a webhook (named by the teacher).
fn desk_of(name: &str, after_validation: bool, plugins: &[(&'static str, bool, bool)]) -> Option<Desk> {
    Some(match name {
        "authentication" => Desk::Authentication,
        "impersonation" => Desk::Impersonation,
        "authorization" => Desk::Authorization,
        "validation" => Desk::Validation,
        "handler" => Desk::Handler,
        "watch cache" => Desk::WatchCache,
        "etcd" => Desk::Etcd,
        _ => {
            let i = plugins.iter().position(|p| p.0 == name)?;
            let (m, v) = (plugins[i].1, plugins[i].2);
            if (after_validation && v) || !m {
                Desk::Validating(i)
            } else {
                Desk::Mutating(i)
            }
        }
    })
}

/// The desk of each step (`None` for a webhook's own step, which follows its plugin's).
pub fn step_desks(req: &RequestView, plugins: &[(&'static str, bool, bool)]) -> Vec<Option<Desk>> {
    let mut after_validation = false;
    req.steps
        .iter()
        .map(|s| {
            let d = desk_of(&s.desk, after_validation, plugins);
            after_validation |= d == Some(Desk::Validation);
            d
        })
        .collect()
}

/// Follows the request's steps through the floor plan.
pub fn walk(req: &RequestView, plugins: &[(&'static str, bool, bool)]) -> Walk {
    let mut w = Walk::default();
    let mut last_admission: Option<Desk> = None;
    for (s, desk) in req.steps.iter().zip(step_desks(req, plugins)) {
        let desk = match desk {
            Some(d) => d,
            None => {
                // A webhook's own step follows its webhook plugin's: it belongs to that desk.
                if let Some(v) = last_admission.and_then(|d| w.visits.get_mut(&d)) {
                    v.webhook = Some(s.desk.clone());
                    if s.kind != StepKind::Passed {
                        v.kind = s.kind;
                    }
                    if !s.text.is_empty() {
                        v.text = s.text.clone();
                    }
                }
                continue;
            }
        };
        last_admission = desk.phase().map(|_| desk);
        if w.route.last() != Some(&desk) {
            w.route.push(desk);
        }
        let order = w.visits.len() + 1;
        let v = w.visits.entry(desk).or_insert(Visit { kind: s.kind, order, text: String::new(), webhook: None });
        v.kind = s.kind;
        if !s.text.is_empty() {
            v.text = s.text.clone();
        }
        if s.kind == StepKind::Rejected && w.stopped_at.is_none() {
            w.stopped_at = Some(desk);
        }
    }
    if !req.done {
        if let Some(last) = req.steps.last().filter(|s| s.kind == StepKind::Waiting) {
            if let Some(&d) = w.route.last() {
                w.waiting = Some((d, last.at_us));
            }
        }
    }
    w
}

/// An estimate of how wide `text` is, in ems (Hangul 1, Latin about 0.6): enough to wrap and
/// squeeze SVG text, which has no layout of its own.
pub fn width_em(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' | '·' | 'i' | 'l' | 'j' | 't' | 'f' | 'r' | '.' | ',' | ':' | '(' | ')' | '"' | '\'' | '/' => 0.32,
            'm' | 'w' | 'M' | 'W' | '@' | '—' => 0.9,
            c if c.is_ascii() => 0.6,
            _ => 1.0,
        })
        .sum()
}

/// Splits `text` into at most `max_lines` lines of at most `max_em` ems, at spaces where it can
/// (a word longer than a line is cut); the last line ends in `…` when text is left over.
pub fn wrap_text(text: &str, max_em: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut truncated = false;
    'words: for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if width_em(&candidate) <= max_em {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            if lines.len() == max_lines {
                truncated = true;
                break 'words;
            }
        }
        // The word alone: cut it into pieces that fit.
        let mut piece = String::new();
        for c in word.chars() {
            let mut next = piece.clone();
            next.push(c);
            if width_em(&next) > max_em && !piece.is_empty() {
                lines.push(std::mem::take(&mut piece));
                if lines.len() == max_lines {
                    truncated = true;
                    break 'words;
                }
                piece.push(c);
            } else {
                piece = next;
            }
        }
        line = piece;
    }
    if !truncated && !line.is_empty() {
        if lines.len() < max_lines {
            lines.push(line);
        } else {
            truncated = true;
        }
    }
    if truncated {
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && width_em(last) + 1.0 > max_em {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// An SVG `textLength` that squeezes `text` into `width` at `font_px` when it would overflow;
/// `None` when it fits.
pub fn squeeze(text: &str, font_px: f64, width: f64) -> Option<String> {
    (width_em(text) * font_px > width).then(|| crate::geometry::num(width))
}

/// The request the office draws: the one picked in the inspector while it is still listed,
/// else the newest.
pub fn selected_index(requests: &[RequestView], picked: Option<u64>) -> Option<usize> {
    picked.and_then(|id| requests.iter().position(|r| r.id == id)).or(requests.len().checked_sub(1))
}

/// `3.2s` (a tenth of a second, integer formatting only).
pub fn seconds_text(us: u64) -> String {
    let tenths = us / 100_000;
    format!("{}.{}s", tenths / 10, tenths % 10)
}

/// A teller's slowness as `lab apiserver slow` takes it (`2s`, `500ms`).
pub fn delay_text(us: u64) -> String {
    if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else {
        format!("{}ms", us / 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab_core::view::StepView;

    const PLUGINS: [(&str, bool, bool); 5] = [
        ("NamespaceLifecycle", true, false),
        ("LimitRanger", true, true),
        ("MutatingAdmissionWebhook", true, false),
        ("ValidatingAdmissionWebhook", false, true),
        ("ResourceQuota", false, true),
    ];

    fn step(desk: &str, floor: u8, kind: StepKind, text: &str, at_us: u64) -> StepView {
        StepView { desk: desk.into(), floor, kind, text: text.into(), at_us }
    }

    fn request(steps: Vec<StepView>, done: bool) -> RequestView {
        RequestView {
            id: 1,
            cmd: 0,
            line: String::new(),
            server: 1,
            method: "POST",
            verb: "create",
            resource: "pods".into(),
            namespace: "default".into(),
            path: "/api/v1/namespaces/default/pods/b".into(),
            user: "kubernetes-admin".into(),
            groups: vec![],
            code: done.then_some(403),
            message: None,
            done,
            steps,
            rejected_at: None,
            before: None,
            after: None,
            sent_us: 0,
            answered_us: None,
        }
    }

    #[test]
    fn the_floorplan_puts_validation_between_the_two_admission_phases() {
        let f = Floorplan::new(&PLUGINS);
        assert_eq!(f.mutating, vec![0, 1, 2]);
        assert_eq!(f.validating, vec![1, 3, 4]);
        let desks = f.desks();
        let pos = |d| desks.iter().position(|&x| x == d).unwrap();
        assert!(pos(Desk::Authentication) < pos(Desk::Authorization));
        assert!(pos(Desk::Mutating(2)) < pos(Desk::Validation));
        assert!(pos(Desk::Validation) < pos(Desk::Validating(1)));
        assert_eq!(phase_tag(true, true), "M+V");
        assert_eq!(phase_tag(false, true), "V");
        // Every desk stands inside its floor, and no two desks overlap.
        for d in &desks {
            let r = f.rect(*d);
            let (top, bottom) = match d.floor() {
                1 => (FLOOR1_TOP, FLOOR1_BOTTOM),
                2 => (FLOOR2_TOP, FLOOR2_BOTTOM),
                _ => (BASEMENT_TOP, BASEMENT_BOTTOM),
            };
            assert!(r.y > top && r.y + r.h < bottom && r.x >= 0.0 && r.x + r.w <= WIDTH, "{d:?} {r:?}");
            for e in &desks {
                let s = f.rect(*e);
                let apart = r.x + r.w <= s.x || s.x + s.w <= r.x || r.y + r.h <= s.y || s.y + s.h <= r.y;
                assert!(d == e || apart, "{d:?} overlaps {e:?}");
            }
        }
    }

    #[test]
    fn tellers_and_members_fit_their_rows_for_every_cluster_size() {
        for n in [1, 3, 5, 7] {
            let (x, w) = teller_slot(n - 1, n);
            assert!(x + w <= WIDTH - 4.0 && w > 60.0, "{n}: {x} {w}");
            let (x, w) = member_slot(n - 1, n);
            assert!(x + w < Floorplan::new(&PLUGINS).rect(Desk::Etcd).x && w > 40.0, "{n}: {x} {w}");
        }
    }

    #[test]
    fn the_route_is_drawn_with_horizontal_and_vertical_segments_only() {
        let f = Floorplan::new(&PLUGINS);
        let create = [
            Desk::Authentication,
            Desk::Authorization,
            Desk::Mutating(0),
            Desk::Mutating(1),
            Desk::Mutating(2),
            Desk::Validation,
            Desk::Validating(1),
            Desk::Validating(3),
            Desk::Validating(4),
            Desk::Handler,
            Desk::Etcd,
        ];
        let update =
            [Desk::Authentication, Desk::Authorization, Desk::Handler, Desk::Etcd, Desk::Mutating(0), Desk::Etcd];
        let read = [Desk::Authentication, Desk::Authorization, Desk::Handler, Desk::WatchCache];
        for route in [&create[..], &update[..], &read[..], &[Desk::Authentication][..]] {
            let pts = f.route_points(300.0, route);
            assert!(pts.len() >= route.len() + 2, "{route:?}");
            for w in pts.windows(2) {
                assert!(w[0].0 == w[1].0 || w[0].1 == w[1].1, "{route:?}: {w:?}");
            }
            // It passes through every desk's anchor, and ends at the last desk.
            for d in route {
                assert!(pts.contains(&f.anchor(*d)), "{d:?}");
            }
            assert_eq!(pts.last(), Some(&f.anchor(*route.last().unwrap())));
        }
        assert!(f.route_points(300.0, &[]).is_empty());
    }

    #[test]
    fn the_real_plugin_list_fits_floor_one() {
        let w = lab_core::World::with_kubernetes(1, 3);
        let plugins = w.office_view().expect("an office").plugins;
        let f = Floorplan::new(&plugins);
        assert!(f.rows_bottom() < FLOOR1_BOTTOM - 4.0, "{}", f.rows_bottom());
        assert_eq!(f.desks().len(), 3 + f.mutating.len() + 1 + f.validating.len() + 3);
    }

    #[test]
    fn a_rejected_request_stops_at_the_desk_that_rejected_it() {
        let r = request(
            vec![
                step("authentication", 1, StepKind::Noted, "admin (x509)", 5),
                step("authorization", 1, StepKind::Noted, "RBAC: allowed", 5),
                step("NamespaceLifecycle", 1, StepKind::Passed, "", 5),
                step("LimitRanger", 1, StepKind::Mutated, "limits", 5),
                step("MutatingAdmissionWebhook", 1, StepKind::Passed, "", 5),
                step("validation", 1, StepKind::Passed, "", 5),
                step("LimitRanger", 1, StepKind::Passed, "", 5),
                step("ValidatingAdmissionWebhook", 1, StepKind::Passed, "", 5),
                step("ResourceQuota", 1, StepKind::Rejected, "403 exceeded quota: q", 5),
            ],
            true,
        );
        let w = walk(&r, &PLUGINS);
        assert_eq!(w.stopped_at, Some(Desk::Validating(4)));
        assert_eq!(w.visits[&Desk::Mutating(1)].kind, StepKind::Mutated);
        assert_eq!(w.visits[&Desk::Validating(1)].kind, StepKind::Passed);
        assert_eq!(w.visits[&Desk::Validating(4)].text, "403 exceeded quota: q");
        assert_eq!(w.visits[&Desk::Authentication].order, 1);
        assert_eq!(w.visits[&Desk::Validating(4)].order, 9);
        assert!(!w.visits.contains_key(&Desk::Handler) && !w.visits.contains_key(&Desk::Impersonation));
        assert_eq!(w.route.len(), 9);
        assert_eq!(w.waiting, None);
    }

    #[test]
    fn a_webhook_belongs_to_its_plugin_desk() {
        let r = request(
            vec![
                step("authentication", 1, StepKind::Noted, "", 5),
                step("authorization", 1, StepKind::Noted, "", 5),
                step("validation", 1, StepKind::Passed, "", 5),
                step("ValidatingAdmissionWebhook", 1, StepKind::Passed, "", 5),
                step("no-latest", 1, StepKind::Rejected, "403 denied", 5),
            ],
            true,
        );
        let w = walk(&r, &PLUGINS);
        let v = &w.visits[&Desk::Validating(3)];
        assert_eq!(
            (v.kind, v.webhook.as_deref(), v.text.as_str()),
            (StepKind::Rejected, Some("no-latest"), "403 denied")
        );
    }

    #[test]
    fn a_request_waiting_for_etcd_waits_in_the_basement_and_an_update_meets_etcd_twice() {
        let steps = vec![
            step("authentication", 1, StepKind::Noted, "", 5),
            step("authorization", 1, StepKind::Noted, "", 5),
            step("handler", 2, StepKind::Passed, "", 5),
            step("etcd", 0, StepKind::Waiting, "", 5),
        ];
        let w = walk(&request(steps.clone(), false), &PLUGINS);
        assert_eq!(w.waiting, Some((Desk::Etcd, 5)));
        let mut more = steps;
        more.push(step("etcd", 0, StepKind::Noted, "revision 9", 90));
        more.push(step("NamespaceLifecycle", 1, StepKind::Passed, "", 90));
        more.push(step("etcd", 0, StepKind::Waiting, "", 90));
        more.push(step("etcd", 0, StepKind::Noted, "revision 10", 150));
        let w = walk(&request(more, true), &PLUGINS);
        assert_eq!(w.waiting, None);
        assert_eq!(w.route.iter().filter(|&&d| d == Desk::Etcd).count(), 2);
        assert_eq!(w.visits[&Desk::Etcd].text, "revision 10");
        assert_eq!(w.visits[&Desk::Etcd].kind, StepKind::Noted);
    }

    #[test]
    fn long_messages_wrap_at_spaces_and_end_in_an_ellipsis() {
        let msg = "deployments.apps is forbidden: User \"viewer\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"";
        let lines = wrap_text(msg, 25.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| width_em(l) <= 25.0), "{lines:?}");
        assert!(lines[1].ends_with('…'));
        assert_eq!(wrap_text("short", 40.0, 2), vec!["short".to_string()]);
        let whole = wrap_text(msg, 200.0, 2);
        assert_eq!(whole, vec![msg.to_string()]);
        let cut = wrap_text(&"x".repeat(100), 10.0, 3);
        assert_eq!(cut.len(), 3);
        assert!(cut.iter().all(|l| width_em(l) <= 10.0));
        assert!(wrap_text("", 10.0, 2).is_empty());
    }

    #[test]
    fn the_office_draws_the_picked_request_while_it_is_listed_else_the_newest() {
        let mut a = request(vec![], true);
        let mut b = a.clone();
        a.id = 4;
        b.id = 7;
        let list = vec![a, b];
        assert_eq!(selected_index(&list, None), Some(1));
        assert_eq!(selected_index(&list, Some(4)), Some(0));
        assert_eq!(selected_index(&list, Some(2)), Some(1));
        assert_eq!(selected_index(&[], Some(2)), None);
        assert_eq!(squeeze("short", 12.0, 200.0), None);
        assert_eq!(squeeze("StorageObjectInUseProtection", 12.0, 100.0).as_deref(), Some("100"));
    }

    #[test]
    fn times_are_written_without_float_formatting() {
        assert_eq!(seconds_text(3_250_000), "3.2s");
        assert_eq!(seconds_text(7_000_000), "7.0s");
        assert_eq!(delay_text(2_000_000), "2s");
        assert_eq!(delay_text(500_000), "500ms");
    }
}
